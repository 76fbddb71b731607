#include "support/json_schema.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sipl::test {

std::string schema_for(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  for (const auto& a : args) {
    if (a.starts_with("-")) break;
    words.push_back(a);
  }
  if (words.empty()) return "sipl-error";
  std::string name = "sipl-" + words[0];
  if ((words[0] == "domain" || words[0] == "diag") && words.size() > 1) name += "-" + words[1];
  return name;
}

void expect_valid_json(const std::string& document, const std::string& schema) {
  TempDir dir;
  write_text(dir / "doc.json", document);
  const std::string schemas = std::string(SIPL_SOURCE_DIR) + "/data/schemas/json/";
  auto r = run({"python3", std::string(SIPL_SOURCE_DIR) + "/tests/support/validate_json.py",
                schemas + schema + ".schema.json", dir / "doc.json"});
  EXPECT_EQ(r.exit_code, 0) << "not valid against " << schema << ":\n" << r.out << r.err << "\n" << document;
}

JsonRun run_sipl_json(const std::vector<std::string>& args) {
  EXPECT_NE(std::find(args.begin(), args.end(), "--json"), args.end()) << "run_sipl_json without --json";
  JsonRun j;
  j.run = run_sipl(args);
  j.json = nlohmann::json::parse(j.run.out, nullptr, false);
  EXPECT_FALSE(j.json.is_discarded()) << "stdout is not one JSON document:\n" << j.run.out << j.run.err;
  if (j.json.is_discarded()) return j;
  // Exits 2..4 print the error document, except a verdict that is itself exit 4 (`domain
  // to-qemu` for a QEMU without the feature prints its own document).
  const bool error = j.run.exit_code >= 2 && j.run.exit_code <= 4 && j.json.contains("error");
  expect_valid_json(j.run.out, error ? "sipl-error" : schema_for(args));
  return j;
}

}  // namespace sipl::test

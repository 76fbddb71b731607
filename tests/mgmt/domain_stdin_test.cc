// "-" reads standard input wherever a domain XML or an .args file is read
// (`virsh dumpxml guest | sipl domain validate -`): the same answer as for the file, the input
// named "standard input" in messages, and too much input refused before it is parsed.
#include <gtest/gtest.h>

#include "sipl/mgmt/domain_xml.h"
#include "support/run.h"

namespace sipl {
namespace {

const std::string kExamples = std::string(SIPL_SOURCE_DIR) + "/examples/domains/";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

TEST(DomainStdin, ValidateAndToQemuReadTheXmlFromStandardInput) {
  const std::string path = kExamples + "audit.xml";
  const std::string xml = test::read_text(path);
  for (const std::string verb : {"validate", "to-qemu"}) {
    auto file = test::run_sipl({"domain", verb, path});
    auto in = test::run_sipl_with_stdin({"domain", verb, "-"}, xml);
    EXPECT_EQ(in.exit_code, file.exit_code) << verb << "\n" << in.err;
    EXPECT_EQ(in.out, replace_all(file.out, path, "standard input")) << verb;
    EXPECT_EQ(in.err, replace_all(file.err, path, "standard input")) << verb;
  }
}

TEST(DomainStdin, FromQemuReadsTheArgsFileFromStandardInput) {
  test::TempDir dir;
  auto args = test::run_sipl({"domain", "to-qemu", kExamples + "audit.xml"});
  ASSERT_EQ(args.exit_code, 0) << args.err;
  test::write_text(dir / "g.args", args.out);
  auto file = test::run_sipl({"domain", "from-qemu", "--args-file", dir / "g.args"});
  auto in = test::run_sipl_with_stdin({"domain", "from-qemu", "--args-file", "-"}, args.out);
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(in.exit_code, 0) << in.err;
  EXPECT_EQ(in.out, file.out);
  auto bad = test::run_sipl_with_stdin({"domain", "from-qemu", "--args-file", "-"}, "qemu-system-s390x -name 'open");
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("standard input"), std::string::npos) << bad.err;
}

TEST(DomainStdin, TooMuchInputIsRefusedNamingStandardInput) {
  auto r = test::run_sipl_with_stdin({"domain", "validate", "-"}, std::string(11 * 1024 * 1024, ' '));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("standard input"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("more than the 10485760 bytes accepted"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sipl

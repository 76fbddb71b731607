#include "sipl/mgmt/domain_schema.h"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>

#include "mgmt/libxml.h"

namespace sipl::mgmt {

namespace {
struct Collected {
  std::vector<std::string> errors;
};

std::string clean(const char* m) {
  std::string s = m != nullptr ? m : "invalid";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void collect(void* user, xmlError* e) {
  auto* c = static_cast<Collected*>(user);
  if (e == nullptr || c->errors.size() >= 100) return;
  c->errors.push_back(e->line > 0 ? fmt::format("line {}: {}", e->line, clean(e->message))
                                  : clean(e->message));
}

struct ParserFree {
  void operator()(xmlRelaxNGParserCtxt* p) const { xmlRelaxNGFreeParserCtxt(p); }
};
struct SchemaFree {
  void operator()(xmlRelaxNG* s) const { xmlRelaxNGFree(s); }
};
struct ValidFree {
  void operator()(xmlRelaxNGValidCtxt* v) const { xmlRelaxNGFreeValidCtxt(v); }
};
}  // namespace

Result<std::vector<std::string>> schema_errors(const DomainXml& doc, const std::string& rng_path) {
  if (access(rng_path.c_str(), R_OK) != 0)
    return fail(ErrorCode::kIo, "cannot read the RelaxNG schema", Location(rng_path));
  Collected parse_errors;
  std::unique_ptr<xmlRelaxNGParserCtxt, ParserFree> pctxt(xmlRelaxNGNewParserCtxt(rng_path.c_str()));
  if (!pctxt) return fail(ErrorCode::kInternal, "libxml2 could not create a RelaxNG parser");
  xmlRelaxNGSetParserStructuredErrors(pctxt.get(), collect, &parse_errors);
  std::unique_ptr<xmlRelaxNG, SchemaFree> schema(xmlRelaxNGParse(pctxt.get()));
  if (!schema)
    return fail(ErrorCode::kBadInput,
                "RelaxNG schema does not compile" +
                    (parse_errors.errors.empty() ? std::string() : ": " + parse_errors.errors.front()),
                Location(rng_path));
  Collected found;
  std::unique_ptr<xmlRelaxNGValidCtxt, ValidFree> vctxt(xmlRelaxNGNewValidCtxt(schema.get()));
  if (!vctxt) return fail(ErrorCode::kInternal, "libxml2 could not create a RelaxNG validator");
  xmlRelaxNGSetValidStructuredErrors(vctxt.get(), collect, &found);
  auto* d = const_cast<xmlDoc*>(static_cast<const xmlDoc*>(doc.native_document()));
  int rc = xmlRelaxNGValidateDoc(vctxt.get(), d);
  if (rc != 0 && found.errors.empty()) found.errors.push_back("document does not match the schema");
  return found.errors;
}

}  // namespace sipl::mgmt

// RelaxNG: sipl's schema accepts every example and test domain (both boot-certs forms) and
// refuses what libvirt's would; every domain without boot-certs (examples, test data, and
// what `sipl domain from-qemu` writes) is valid against libvirt's real domain.rng from
// Debian's libvirt0 package, so the rest of sipl's XML stays real libvirt XML.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "sipl/mgmt/domain_schema.h"
#include "sipl/mgmt/domain_xml.h"
#include "support/run.h"

namespace sipl::mgmt {
namespace {

const std::string kSrc = SIPL_SOURCE_DIR;
const std::string kRng = kSrc + "/data/schemas/sipl-domain.rng";
const std::string kLibvirtRng = "/usr/share/libvirt/schemas/domain.rng";

std::vector<std::string> domain_files() {
  std::vector<std::string> out;
  for (const char* dir : {"/examples/domains", "/tests/mgmt/data"})
    for (const auto& e : std::filesystem::directory_iterator(kSrc + dir))
      if (e.path().extension() == ".xml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> errors_of(const std::string& file, const std::string& rng) {
  auto x = DomainXml::load(file);
  EXPECT_TRUE(x) << file;
  if (!x) return {"unreadable"};
  auto e = schema_errors(*x, rng);
  EXPECT_TRUE(e) << e.error().to_string();
  return e ? *e : std::vector<std::string>{"schema"};
}

TEST(DomainSchema, EveryExampleMatchesSiplSchema) {
  auto files = domain_files();
  ASSERT_GE(files.size(), 5u);
  for (const auto& f : files) EXPECT_EQ(errors_of(f, kRng), std::vector<std::string>{}) << f;
}

TEST(DomainSchema, DomainsWithoutBootCertsAreRealLibvirtXml) {
  if (access(kLibvirtRng.c_str(), R_OK) != 0) GTEST_SKIP() << "libvirt0 not installed";
  size_t checked = 0;
  for (const auto& f : domain_files()) {
    auto x = DomainXml::load(f);
    ASSERT_TRUE(x);
    if (x->domain().os.boot_certs_form != BootCertsForm::kNone) {
      // libvirt up to 12.8 has no <boot-certs>: its schema must refuse them.
      EXPECT_NE(errors_of(f, kLibvirtRng), std::vector<std::string>{}) << f;
      continue;
    }
    EXPECT_EQ(errors_of(f, kLibvirtRng), std::vector<std::string>{}) << f;
    ++checked;
    // And what from-qemu writes back for it.
    auto a = test::run_sipl_json({"domain", "to-qemu", "--json", f}).run;
    ASSERT_EQ(a.exit_code, 0) << a.err;
    auto j = nlohmann::json::parse(a.out);
    std::vector<std::string> cmd{"domain", "from-qemu", "--"};
    for (auto& s : j["args"]) cmd.push_back(s.get<std::string>());
    auto back = test::run_sipl(cmd);
    ASSERT_EQ(back.exit_code, 0) << back.err;
    auto bx = DomainXml::parse(back.out, f + " (from-qemu)");
    ASSERT_TRUE(bx);
    auto e = schema_errors(*bx, kLibvirtRng);
    ASSERT_TRUE(e);
    EXPECT_EQ(*e, std::vector<std::string>{}) << back.out;
  }
  EXPECT_GE(checked, 2u);
}

TEST(DomainSchema, SiplSchemaRefusesWhatLibvirtWould) {
  const std::string base = test::read_text(kSrc + "/examples/domains/libvirt-form.xml");
  struct {
    const char* from;
    const char* to;
  } cases[] = {
      {"<path>/etc/pki", "<path>etc/pki"},
      {"name='secure-boot'", "name='fast-boot'"},
      {"<os>", "<os firmware='uboot'>"},
      {"<target dev='vda' bus='virtio'/>", "<target dev='vda' bus='virtio'/><boot order='0'/>"},
      {"<target dev='vda' bus='virtio'/>",
       "<target dev='vda' bus='virtio'/><boot order='1' loadparm='a_b'/>"},
  };
  test::TempDir dir;
  for (const auto& c : cases) {
    std::string xml = base;
    xml.replace(xml.find(c.from), std::string(c.from).size(), c.to);
    test::write_text(dir / "d.xml", xml);
    EXPECT_NE(errors_of(dir / "d.xml", kRng), std::vector<std::string>{}) << c.to;
  }
}

TEST(DomainSchema, CliReportsSchemaErrorsAsFindings) {
  test::TempDir dir;
  std::string xml = test::read_text(kSrc + "/examples/domains/libvirt-form.xml");
  test::write_text(dir / "d.xml", xml);
  auto r = test::run_sipl({"domain", "validate", "--rng", kRng, dir / "d.xml"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  if (access(kLibvirtRng.c_str(), R_OK) != 0) return;
  auto lv = test::run_sipl_json({"domain", "validate", "--json", "--rng", kLibvirtRng, dir / "d.xml"}).run;
  EXPECT_EQ(lv.exit_code, 1) << lv.out;
  auto j = nlohmann::json::parse(lv.out);
  EXPECT_EQ(j["findings"][0]["id"], "schema.invalid");
}

}  // namespace
}  // namespace sipl::mgmt

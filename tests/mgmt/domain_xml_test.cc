// DomainXml: the model read from both XML forms, and hostile documents refused with clear
// messages (file and line), without entity expansion, in bounded time and memory.
#include <gtest/gtest.h>

#include <string>

#include "sipl/mgmt/domain_xml.h"
#include "support/run.h"

namespace sipl::mgmt {
namespace {

const std::string kExamples = std::string(SIPL_SOURCE_DIR) + "/examples/domains/";

TEST(DomainXml, ReadsTheLibvirtForm) {
  auto x = DomainXml::load(kExamples + "libvirt-form.xml");
  ASSERT_TRUE(x) << x.error().to_string();
  const Domain& d = x->domain();
  EXPECT_EQ(d.type, "qemu");
  EXPECT_EQ(d.name, "secure-guest");
  EXPECT_EQ(d.uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  EXPECT_EQ(d.memory_kib, 219100u);
  EXPECT_EQ(d.vcpus, 1u);
  EXPECT_EQ(d.os.arch, "s390x");
  EXPECT_EQ(d.os.machine, "s390-ccw-virtio");
  EXPECT_EQ(d.os.secure_boot, Tristate::kYes);
  EXPECT_EQ(d.os.enrolled_keys, Tristate::kAbsent);
  EXPECT_EQ(d.os.boot_certs,
            (std::vector<std::string>{"/etc/pki/s390/boot-certs", "/home/user/certs/signing.pem"}));
  EXPECT_EQ(d.os.boot_certs_form, BootCertsForm::kLibvirt);
  EXPECT_EQ(d.os.boot_cert_lines, (std::vector<uint64_t>{12, 13}));
  EXPECT_EQ(d.os.boot_devs, std::vector<std::string>{"hd"});
  ASSERT_TRUE(d.cpu);
  EXPECT_EQ(d.cpu->model, "qemu");
  ASSERT_EQ(d.disks.size(), 1u);
  EXPECT_EQ(d.disks[0].driver_type, "qcow2");
  EXPECT_EQ(d.disks[0].source, "/var/lib/libvirt/images/secure-guest.qcow2");
  EXPECT_EQ(d.disks[0].line, 22u);
  ASSERT_TRUE(d.disks[0].address && d.disks[0].address->ccw);
  EXPECT_EQ(*d.disks[0].address->ccw, (CcwAddress{0xfe, 0, 0}));
  ASSERT_EQ(d.consoles.size(), 1u);
  EXPECT_EQ(d.consoles[0].target_type, "sclp");
  EXPECT_TRUE(x->parse_findings().empty());
}

TEST(DomainXml, BothFormsGiveTheSameModel) {
  auto seed = DomainXml::load(kExamples + "seed-form.xml");
  auto lv = DomainXml::load(kExamples + "libvirt-form.xml");
  ASSERT_TRUE(seed && lv);
  EXPECT_EQ(seed->domain().os.boot_certs_form, BootCertsForm::kSeed);
  EXPECT_EQ(seed->domain().os.firmware, "s390-ccw-bios");
  Domain a = seed->domain();
  a.os.firmware.reset();
  EXPECT_EQ(a, lv->domain());
}

TEST(DomainXml, MixedFormsKeepDocumentOrder) {
  auto x = DomainXml::parse(
      "<domain type='kvm'><name>m</name><os><boot-certs path='/1'/>"
      "<boot-certs><path>/2</path><path>/3</path></boot-certs><boot-certs path='/4'/></os></domain>",
      "m.xml");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->domain().os.boot_certs_form, BootCertsForm::kMixed);
  EXPECT_EQ(x->domain().os.boot_certs, (std::vector<std::string>{"/1", "/2", "/3", "/4"}));
  EXPECT_EQ(x->normalized(),
            "<domain type='kvm'><name>m</name><os><boot-certs>\n      <path>/1</path>\n      "
            "<path>/2</path>\n      <path>/3</path>\n      <path>/4</path>\n    </boot-certs>"
            "</os></domain>\n");
}

TEST(DomainXml, MemoryUnitsAsLibvirt) {
  struct {
    const char* xml;
    uint64_t kib;
  } cases[] = {{"<memory>219136</memory>", 219136},
               {"<memory unit='MiB'>512</memory>", 524288},
               {"<memory unit='G'>2</memory>", 2097152},
               {"<memory unit='MB'>1</memory>", 977},  // 1,000,000 bytes rounded up
               {"<memory unit='b'>1025</memory>", 2}};
  for (const auto& c : cases) {
    auto x = DomainXml::parse(std::string("<domain type='kvm'><name>n</name>") + c.xml + "</domain>",
                              "m.xml");
    ASSERT_TRUE(x) << c.xml;
    EXPECT_EQ(x->domain().memory_kib, c.kib) << c.xml;
  }
}

TEST(DomainXml, SerializedIsLibvirtStyle) {
  auto x = DomainXml::parse("<?xml version=\"1.0\"?>\n<domain type=\"kvm\"><name a=\"it's\">x</name></domain>",
                            "s.xml");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->serialized(), "<domain type='kvm'><name a='it&apos;s'>x</name></domain>\n");
}

// ---- hostile input -------------------------------------------------------------------------

void expect_error(const Result<DomainXml>& r, ErrorCode code, const std::string& text) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, code);
  EXPECT_EQ(r.error().to_string(), text);
}

TEST(DomainXmlHostile, BillionLaughsRefusedBeforeAnyEntityIsDeclared) {
  std::string doc = "<?xml version='1.0'?>\n<!DOCTYPE d [\n<!ENTITY a \"aaaaaaaaaa\">\n";
  for (int i = 1; i < 10; ++i) {
    doc += "<!ENTITY " + std::string(1, static_cast<char>('a' + i)) + " \"";
    for (int k = 0; k < 10; ++k) doc += "&" + std::string(1, static_cast<char>('a' + i - 1)) + ";";
    doc += "\">\n";
  }
  doc += "]>\n<domain type='kvm'><name>&j;</name></domain>\n";
  expect_error(DomainXml::parse(doc, "laughs.xml"), ErrorCode::kBadInput,
               "laughs.xml: line 2: DOCTYPE declarations are not accepted in domain XML "
               "(entities and external DTDs are refused)");
}

TEST(DomainXmlHostile, ExternalEntityNeverReadsTheFile) {
  auto r = DomainXml::parse(
      "<!DOCTYPE domain [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<domain type='kvm'><name>&xxe;</name></domain>",
      "xxe.xml");
  expect_error(r, ErrorCode::kBadInput,
               "xxe.xml: line 1: DOCTYPE declarations are not accepted in domain XML (entities "
               "and external DTDs are refused)");
  auto ext = DomainXml::parse("<!DOCTYPE domain SYSTEM \"http://example.com/d.dtd\"><domain/>", "d.xml");
  ASSERT_FALSE(ext);
  EXPECT_EQ(ext.error().code, ErrorCode::kBadInput);
}

TEST(DomainXmlHostile, UndeclaredEntityIsMalformed) {
  expect_error(DomainXml::parse("<domain type='kvm'>\n<name>&xxe;</name></domain>", "u.xml"),
               ErrorCode::kBadInput, "u.xml: line 2: malformed XML: Entity 'xxe' not defined");
}

TEST(DomainXmlHostile, DeepNesting) {
  std::string deep = "<domain type='kvm'>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  expect_error(DomainXml::parse(deep, "deep.xml"), ErrorCode::kBadInput,
               "deep.xml: line 1: malformed XML: Excessive depth in document: 256 use "
               "XML_PARSE_HUGE option");
  std::string mid = "<domain type='kvm'>\n";
  for (int i = 0; i < 70; ++i) mid += "<a>";
  for (int i = 0; i < 70; ++i) mid += "</a>";
  mid += "</domain>";
  expect_error(DomainXml::parse(mid, "mid.xml"), ErrorCode::kLimit,
               "mid.xml: line 2: elements nested deeper than 64 levels");
}

TEST(DomainXmlHostile, HugeDocumentsRefusedBeforeParsing) {
  std::string big(11 * 1024 * 1024, ' ');
  expect_error(DomainXml::parse(big, "big.xml"), ErrorCode::kLimit,
               "big.xml: domain XML is 11534336 bytes; at most 10485760 are accepted");
  test::TempDir dir;
  // 100 MB, sparse: refused from its size without being read.
  ASSERT_EQ(test::sh("truncate -s 100M " + (dir / "huge.xml")).exit_code, 0);
  auto r = DomainXml::load(dir / "huge.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kLimit);
}

TEST(DomainXmlHostile, TenThousandPaths) {
  std::string doc = "<domain type='kvm'><name>p</name><os>\n<boot-certs>\n";
  for (int i = 0; i < 10000; ++i) doc += "<path>/etc/pki/" + std::to_string(i) + ".pem</path>\n";
  doc += "</boot-certs></os></domain>";
  expect_error(DomainXml::parse(doc, "paths.xml"), ErrorCode::kLimit,
               "paths.xml: line 259: too many boot certificate paths (more than 256)");
}

TEST(DomainXmlHostile, NonUtf8AndNul) {
  expect_error(DomainXml::parse("<domain type='kvm'>\n<name>\xff\xfe</name></domain>", "u.xml"),
               ErrorCode::kBadInput,
               "u.xml: line 2: malformed XML: Input is not proper UTF-8, indicate encoding !; "
               "Bytes: 0xFF 0xFE 0x3C 0x2F");
  std::string nul = "<domain type='kvm'>\n<name>a";
  nul += '\0';
  nul += "b</name></domain>";
  expect_error(DomainXml::parse(nul, "n.xml"), ErrorCode::kBadInput,
               "n.xml: line 2: malformed XML: Char 0x0 out of allowed range");
}

TEST(DomainXmlHostile, MalformedAndWrongRoot) {
  expect_error(DomainXml::parse("<domain type='kvm'>\n<name>a</name>\n<x>\n</domain>\n", "m.xml"),
               ErrorCode::kBadInput,
               "m.xml: line 4: malformed XML: Opening and ending tag mismatch: x line 3 and domain");
  expect_error(DomainXml::parse("", "e.xml"), ErrorCode::kBadInput,
               "e.xml: line 1: malformed XML: Document is empty");
  expect_error(DomainXml::parse("<network/>", "n.xml"), ErrorCode::kBadInput,
               "n.xml: line 1: root element is <network>, expected <domain>");
}

TEST(DomainXmlHostile, CliExitsThreeWithLine) {
  test::TempDir dir;
  test::write_text(dir / "bad.xml", "<domain type='kvm'>\n<name>a</name>\n<x>\n</domain>\n");
  auto r = test::run_sipl({"domain", "validate", dir / "bad.xml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "bad.xml") +
                       ": line 4: malformed XML: Opening and ending tag mismatch: x line 3 and "
                       "domain\n");
}

}  // namespace
}  // namespace sipl::mgmt

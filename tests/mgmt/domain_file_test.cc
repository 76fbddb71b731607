// The library calls behind `sipl domain validate|to-qemu|from-qemu` on the example domains.
#include <gtest/gtest.h>

#include "sipl/mgmt/domain_file.h"

namespace sipl::mgmt {
namespace {

const std::string kExamples = std::string(SIPL_SOURCE_DIR) + "/examples/domains/";

TEST(DomainFile, ValidateSeedFormGivesSecureModeFromQemusRule) {
  auto v = validate_domain_file(kExamples + "seed-form.xml", {});
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->valid);
  EXPECT_EQ(v->mode, hv::IplMode::kSecure);  // certificates and secure-boot on
  EXPECT_EQ(v->boot_certs_form, BootCertsForm::kSeed);
  EXPECT_STREQ(to_string(v->boot_certs_form), "seed");
  auto plain = validate_domain_file(kExamples + "plain.xml", {});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->mode, hv::IplMode::kNormal);
}

TEST(DomainFile, ToQemuForAnOldQemuIsInvalidNotAnError) {
  auto t = qemu_target("11.1.0", "");
  ASSERT_TRUE(t);
  auto r = domain_to_qemu(kExamples + "libvirt-form.xml", *t);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->command_line);
  EXPECT_TRUE(has_errors(r->findings));
  EXPECT_TRUE(r->unsupported);  // only the QEMU is wrong: an unsupported environment (exit 4)
  r = domain_to_qemu(kExamples + "libvirt-form.xml", {});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE(r->command_line);
  EXPECT_EQ(qemu_target("11.1.0", "qemu-system-s390x").error().code, ErrorCode::kUsage);
}

TEST(DomainFile, FromQemuNeedsExactlyOneCommandLine) {
  EXPECT_EQ(domain_from_qemu({}).error().code, ErrorCode::kUsage);
  EXPECT_EQ(domain_from_qemu({"qemu-system-s390x"}, "x.args").error().code, ErrorCode::kUsage);
  auto d = domain_from_qemu({"qemu-system-s390x", "-machine", "s390-ccw-virtio,boot-certs.0.path=/etc/pki/s390",
                             "-display", "none"});
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->domain.os.boot_certs, std::vector<std::string>{"/etc/pki/s390"});
  EXPECT_EQ(d->ignored, std::vector<std::string>{"-display"});
  EXPECT_NE(d->xml.find("<path>/etc/pki/s390</path>"), std::string::npos) << d->xml;
}

}  // namespace
}  // namespace sipl::mgmt

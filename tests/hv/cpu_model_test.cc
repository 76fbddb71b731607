// QEMU's -cpu, -machine and loadparm handling as hv models it. Model names and the feature
// groups are QEMU's (target/s390x/cpu_models.c s390_cpu_defs, gen-features.c full_GEN16_GA1
// and qemu_MAX); messages are QEMU's text (cpu.c parse_cpu_option, qom/object.c
// object_apply_global_props, qapi_bool_parse, hw/core/qdev-properties-system.c
// qdev_prop_sanitize_s390x_loadparm). Where Debian's QEMU 7.2 shares a message, the real binary
// says it too (tests/mgmt/qemu_refusals_test.cc).
#include "sipl/hv/cpu_model.h"

#include <gtest/gtest.h>

#include "sipl/hv/machine.h"
#include "sipl/hv/machine_type.h"

namespace sipl::hv {
namespace {

std::string refusal(std::string_view option, bool kvm = false) {
  auto m = parse_cpu_option(option, kvm);
  if (m) return "accepted";
  EXPECT_EQ(m.error().code, ErrorCode::kUnsupported);
  return m.error().message;
}

TEST(CpuModel, FullGen16AndNewerModelsAndQemuMaxHaveTheSecureIplFacilities) {
  for (const char* full : {"max", "qemu", "gen16a", "gen16b", "gen17a", "gen17b"}) {
    auto f = cpu_facilities(full);
    ASSERT_TRUE(f) << full;
    EXPECT_TRUE(f->sipl && f->sclaf && f->cstore) << full;
  }
  auto host = cpu_facilities("host", true);
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->sipl && host->sclaf && host->cstore);
  // Static "-base" models and older generations lack them.
  for (const char* old : {"gen16a-base", "gen17b-base", "gen15a", "z14", "z13-base", "z900"}) {
    auto f = cpu_facilities(old);
    ASSERT_TRUE(f) << old;
    EXPECT_FALSE(f->sipl || f->sclaf || f->cstore) << old;
  }
}

TEST(CpuModel, FeatureOverridesInOrderTheLastOneWins) {
  auto m = parse_cpu_option("max,sipl=off", false);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->facilities.sipl);
  EXPECT_TRUE(m->facilities.sclaf && m->facilities.cstore);
  EXPECT_EQ(m->qom_type, "max-s390x-cpu");
  m = parse_cpu_option("gen16a,cstore=no,sclaf=off,sclaf=yes,vx=off", false);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->facilities.cstore);
  EXPECT_TRUE(m->facilities.sclaf);
  ASSERT_EQ(m->other_features.size(), 1u);
  EXPECT_EQ(m->other_features[0], (std::pair<std::string, std::string>{"vx", "off"}));
  m = parse_cpu_option("gen15a,sipl=on,sclaf=on,cstore=on", false);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->facilities.sipl && m->facilities.sclaf && m->facilities.cstore);
}

TEST(CpuModel, RefusalsAreQemusMessages) {
  EXPECT_EQ(refusal("z16"), "unable to find CPU model 'z16'");  // QEMU names it gen16a
  EXPECT_EQ(refusal("Max"), "unable to find CPU model 'Max'");   // names are case-sensitive
  EXPECT_EQ(refusal("host"), "unable to find CPU model 'host'");  // only under KVM
  EXPECT_EQ(refusal("max,sipl"), "Expected key=value format, found sipl.");
  EXPECT_EQ(refusal("max,+sipl"), "Expected key=value format, found +sipl.");
  EXPECT_EQ(refusal("gen16a,cstore=maybe"),
            "can't apply global gen16a-s390x-cpu.cstore=maybe: Parameter 'cstore' expects 'on' or 'off'");
}

TEST(Loadparm, QemuUppercasesAndRefusesWhatTheHmcCannotShow) {
  EXPECT_EQ(sanitize_loadparm("prod.1 a").value(), "PROD.1 A");
  auto l = sanitize_loadparm("system123");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(l.error().message, "'loadparm' can only contain up to 8 characters");
  l = sanitize_loadparm("a_b");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message, "invalid character in 'loadparm': '_' (ASCII 0x5f)");
}

TEST(Machine, RefusesWhatQemuRefusesBeforeTheGuestRuns) {
  MachineOptions o;
  o.devices = {{BootDeviceKind::kVirtioBlkCcw, "d.img", 1, std::string("x_y")}};
  auto m = Machine::create(o, nullptr);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "invalid character in 'loadparm': '_' (ASCII 0x5f)");
  o.devices[0].loadparm.reset();
  o.loadparm = "123456789";
  m = Machine::create(o, nullptr);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "'loadparm' can only contain up to 8 characters");
  o.loadparm.reset();
  o.cpu_model = "z15";
  m = Machine::create(o, nullptr);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "unable to find CPU model 'z15'");
  o.cpu_model = "max,sclaf=off";
  m = Machine::create(o, nullptr);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE(m->facilities().sclaf);
  EXPECT_EQ(m->cpu().name, "max");
}

TEST(MachineType, AliasResolvesToTheNewestVersionedMachine) {
  EXPECT_EQ(machine_qom_type("s390-ccw-virtio").value(), "s390-ccw-virtio-11.2-machine");
  EXPECT_EQ(machine_qom_type("s390-ccw-virtio-9.1").value(), "s390-ccw-virtio-9.1-machine");
  for (const char* bad : {"pc", "s390-ccw-virtio-12.0", "s390-ccw-virtio-x", "s390-ccw"}) {
    auto t = machine_qom_type(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().message, "unsupported machine type");
    EXPECT_EQ(t.error().hint, "Use -machine help to list supported machines");
  }
}

TEST(MachineType, PropertiesOfTheS390CcwVirtioMachine) {
  const std::string qom = "s390-ccw-virtio-11.2-machine";
  for (const char* ok : {"type", "usb", "loadparm", "boot-certs.0.path", "secure-boot", "smp.cpus", "memory-backend"})
    EXPECT_TRUE(check_machine_property(qom, ok, "on")) << ok;
  auto s = check_machine_property(qom, "bogus", "1");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Property 's390-ccw-virtio-11.2-machine.bogus' not found");
  s = check_machine_property(qom, "secure-boot", "maybe");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Parameter 'secure-boot' expects 'on' or 'off'");
}

}  // namespace
}  // namespace sipl::hv

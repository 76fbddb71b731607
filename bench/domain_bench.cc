// Speed of the libvirt side: parsing a domain, validating it, building and re-parsing argv.
#include <benchmark/benchmark.h>

#include <string>

#include "sipl/mgmt/domain_validate.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/mgmt/qemu_argv.h"

namespace {
// examples/domains/audit.xml
std::string example() {
  return R"(<domain type='qemu'>
  <name>audit-guest</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>
    <firmware>
      <feature enabled='no' name='secure-boot'/>
    </firmware>
    <boot-certs>
      <path>/etc/pki/s390/boot-certs</path>
    </boot-certs>
  </os>
  <cpu mode='custom'>
    <model>gen16a</model>
  </cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-s390x</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/audit-guest.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <boot order='1' loadparm='linux'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/audit-data.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='52:54:00:12:34:56'/>
      <model type='virtio'/>
    </interface>
    <console type='pty'>
      <target type='sclp' port='0'/>
    </console>
  </devices>
</domain>
)";
}

void BM_ParseDomainXml(benchmark::State& st) {
  std::string text = example();
  for (auto _ : st) benchmark::DoNotOptimize(sipl::mgmt::DomainXml::parse(text, "audit.xml"));
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * text.size()));
}
BENCHMARK(BM_ParseDomainXml);

void BM_ValidateAndBuildArgv(benchmark::State& st) {
  auto x = sipl::mgmt::DomainXml::parse(example(), "audit.xml");
  for (auto _ : st) {
    benchmark::DoNotOptimize(sipl::mgmt::validate_domain(*x, {}));
    benchmark::DoNotOptimize(sipl::mgmt::build_qemu_command_line(x->domain(), {}));
  }
}
BENCHMARK(BM_ValidateAndBuildArgv);

void BM_ParseQemuArgv(benchmark::State& st) {
  auto x = sipl::mgmt::DomainXml::parse(example(), "audit.xml");
  auto cl = sipl::mgmt::build_qemu_command_line(x->domain(), {});
  for (auto _ : st) benchmark::DoNotOptimize(sipl::mgmt::parse_qemu_argv(cl->args));
}
BENCHMARK(BM_ParseQemuArgv);
}  // namespace

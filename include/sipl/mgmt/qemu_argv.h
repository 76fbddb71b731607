// The QEMU command line for a domain, as libvirt's qemu driver builds it for an s390x guest
// (argument order, keyval escaping and JSON forms of libvirt's qemuxmlconftest .args files),
// and the reverse: a parser for qemu-system-s390x command lines (keyval with ",," escapes,
// -drive and -blockdev, JSON and keyval -device) that `sipl boot -- ARGV` uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sipl/base/result.h"
#include "sipl/mgmt/domain.h"
#include "sipl/mgmt/qemu_version.h"

namespace sipl::mgmt {

// Which QEMU the command line is for.
struct ArgvOptions {
  // nullopt: the newest (11.2.0) and the machine name as written. A given version also
  // canonicalises the alias "s390-ccw-virtio" to "s390-ccw-virtio-MAJOR.MINOR" as libvirt
  // does from the capabilities of a pinned QEMU.
  std::optional<QemuVersion> qemu;
  // A command line a person can run as is (`--runnable`): no environment, no -S (paused
  // start), no master-key secret object, no monitor on libvirt's file descriptor 1729, no
  // -no-shutdown, -sandbox or -msg; the first console on the terminal (stdio) instead of a pty,
  // and an sclpconsole on stdio when the domain has none, so the BIOS and kernel console show.
  // Disks stay plain -blockdev/-device.
  bool runnable = false;
};

// A command line: environment, emulator binary and arguments (argv[1..]).
struct QemuCommandLine {
  std::vector<std::string> env;
  std::string emulator;
  std::vector<std::string> args;
};

// Returns libvirt's command line for `d` (or, with opts.runnable, one to run by hand), or
// kUnsupported for devices sipl cannot express (e.g. a network interface other than
// type='user', a disk on a bus other than virtio).
Result<QemuCommandLine> build_qemu_command_line(const Domain& d, const ArgvOptions& opts);

// Returns the command line in libvirt's .args layout: one "-opt value \" per line, shell
// quoting only where needed, a final newline.
std::string format_args_file(const QemuCommandLine& cl);

// Returns `s` with every ',' doubled (QEMU keyval escaping, libvirt's
// virQEMUBuildBufferEscapeComma).
std::string escape_keyval(std::string_view s);

// Returns the words of a libvirt .args file (or any sh command line): single and double
// quotes, backslash escapes and backslash-newline continuations; kBadInput for an open quote.
Result<std::vector<std::string>> split_args_file(std::string_view text);

// Returns the key=value pairs of a keyval string; a leading item without '=' gets
// `implied_key`. ",," stands for a literal comma. kBadInput for an empty key.
Result<std::vector<std::pair<std::string, std::string>>> parse_keyval(std::string_view s,
                                                                      const char* implied_key);

// A block node from -blockdev or -drive.
struct QemuBlockNode {
  std::string node_name;  // node-name, or the -drive id
  std::string driver;     // file, host_device, raw, qcow2, ...
  std::string filename;   // protocol nodes (or -drive file=)
  std::string file_ref;   // format nodes: the node-name of their "file" child
  std::string format;     // -drive format=
  bool read_only = false;
  bool from_drive = false;
};

// A -device (JSON or keyval), or the implied device of -drive if=virtio.
struct QemuDevice {
  std::string driver;
  std::string id;
  std::string drive;
  std::string netdev;
  std::string chardev;
  std::string mac;
  std::optional<CcwAddress> devno;
  std::optional<unsigned> bootindex;
  std::optional<std::string> loadparm;
};

// What a qemu-system-s390x command line configures that matters for secure IPL.
struct MachineConfig {
  std::string emulator;
  std::string name;
  std::string machine_type;
  std::string accel;      // kvm | tcg
  std::string cpu_model;  // first component of the last -cpu
  std::string cpu_option;  // the last -cpu as written (QEMU uses only the last)
  uint64_t memory_kib = 0;
  unsigned vcpus = 1;
  std::string uuid;
  std::vector<std::string> boot_certs;  // by index N of boot-certs.N.path
  std::optional<bool> secure_boot;
  std::optional<std::string> machine_loadparm;
  bool protected_virtualization = false;  // confidential-guest-support + s390-pv-guest
  std::vector<QemuBlockNode> block_nodes;
  std::vector<QemuDevice> devices;
  std::vector<std::pair<std::string, std::string>> netdevs;  // id, type
  // Every -machine key=value in command-line order (the implied "type" included), checked
  // against the machine's properties at the end of the parse.
  std::vector<std::pair<std::string, std::string>> machine_properties;
  // A direct kernel boot (-kernel/-initrd, or -machine kernel=/initrd=): "-kernel PATH".
  std::optional<std::string> direct_kernel;
  std::vector<std::string> ignored;                          // options sipl does not model
};

// Returns the key=value pairs of one -machine option as QEMU's keyval_parse reads it (implied
// key "type", ",," for a literal comma, keys made of QAPI names and list indices).
// kUnsupported with QEMU's message, e.g. "-machine {"type":...}: Invalid parameter '...'"
// (QEMU's -machine takes no JSON) or "-machine s390-ccw-virtio,x: Expected '=' after parameter
// 'x'".
Result<std::vector<std::pair<std::string, std::string>>> parse_machine_option(std::string_view optarg);

// Returns the configuration of `argv` (the emulator and leading VAR=value words are
// optional); kBadInput naming the argument index for malformed options; kUnsupported with
// QEMU's own message for what QEMU refuses before the guest runs: a -machine it cannot parse,
// an unknown machine type or property (hv/machine_type.h).
Result<MachineConfig> parse_qemu_argv(const std::vector<std::string>& argv);

// Returns the words of the .args file at `path` ("-" reads standard input), refusing files
// over 16 MiB (kLimit) before splitting them.
Result<std::vector<std::string>> read_args_file(const std::string& path);

// Returns the domain libvirt would describe for `m` (devices with per-device boot order).
Result<Domain> domain_from_machine(const MachineConfig& m);

// Returns the file a block device's drive finally reads (following format → protocol).
struct ResolvedDrive {
  std::string filename;
  std::string protocol;  // file | host_device
  std::string format;    // raw | qcow2 | ...
  bool read_only = false;
};
// Returns the resolution of `drive_ref` among `m.block_nodes`, or kBadInput.
Result<ResolvedDrive> resolve_drive(const MachineConfig& m, const std::string& drive_ref);

}  // namespace sipl::mgmt

// Guests from this host's files: domain XML files and directories, and the command lines of
// running qemu-system-s390x processes.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/fleet/guest_source.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::fleet {
namespace {

constexpr uint64_t kMaxCmdline = 1 << 20;  // Linux caps argv far below this in practice

Finding source_error(std::string id, std::string message, const std::string& path) {
  return Finding{Severity::kError, std::move(id), std::move(message), {{"source", path}}, Location(path)};
}

// Adds the domain in `text` (read from `path`) when it is an s390x guest.
void add_domain(Collection& c, const std::string& text, const std::string& path) {
  auto x = mgmt::DomainXml::parse(text, path);
  if (!x) {
    c.findings.push_back(source_error(ids::kAuditXmlUnreadable, x.error().to_string(), path));
    c.failed = true;
    return;
  }
  const mgmt::Domain& d = x->domain();
  if (!mgmt::is_s390_ccw(d)) {
    c.findings.push_back({Severity::kInfo, ids::kAuditNotS390x,
                          fmt::format("{}: domain '{}' is not an s390x guest on an s390-ccw machine; skipped", path, d.name),
                          {{"source", path}, {"name", d.name}}});
    return;
  }
  GuestDefinition g;
  g.name = d.name;
  g.kind = SourceKind::kXml;
  g.source = path;
  g.uuid = d.uuid;
  g.domain_xml = text;
  c.guests.push_back(std::move(g));
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Returns the names in `dir` (no . and ..), sorted, or the error text.
Result<std::vector<std::string>> list_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return fail(ErrorCode::kIo, fmt::format("cannot read directory: {}", std::strerror(errno)), Location(dir));
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string basename_of(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Returns the guest name QEMU's -name option gives ("guest=NAME,..." or "NAME,..."), or "".
std::string qemu_name(const std::vector<std::string>& argv) {
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i] != "-name" && argv[i] != "--name") continue;
    auto kv = mgmt::parse_keyval(argv[i + 1], "guest");
    if (!kv) return {};
    for (const auto& [k, v] : *kv)
      if (k == "guest") return v;
  }
  return {};
}

// Returns the bytes of a /proc file (whose stat size is 0), at most kMaxCmdline; empty when it
// cannot be read (the process is gone, or not ours to read).
std::string read_proc_file(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[65536];
  while (out.size() < kMaxCmdline) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

const char* to_string(SourceKind k) {
  switch (k) {
    case SourceKind::kLibvirt: return "libvirt";
    case SourceKind::kXml: return "xml";
    case SourceKind::kProcess: return "process";
  }
  return "?";
}

Collection collect_xml(const std::vector<std::string>& paths) {
  Collection c;
  for (const auto& p : paths) {
    std::vector<std::string> files;
    if (is_directory(p)) {
      auto names = list_dir(p);
      if (!names) {
        c.findings.push_back(source_error(ids::kAuditSourceUnreadable, names.error().to_string(), p));
        c.failed = true;
        continue;
      }
      for (const auto& n : *names)
        if (n.size() > 4 && n.compare(n.size() - 4, 4, ".xml") == 0) files.push_back(p + (p.ends_with("/") ? "" : "/") + n);
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      auto bytes = read_file(f, mgmt::XmlLimits{}.max_bytes);
      if (!bytes) {
        c.findings.push_back(source_error(ids::kAuditSourceUnreadable, bytes.error().to_string(), f));
        c.failed = true;
        continue;
      }
      add_domain(c, std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()), f);
    }
  }
  return c;
}

Collection collect_processes(const std::string& proc_root) {
  Collection c;
  auto names = list_dir(proc_root);
  if (!names) {
    c.findings.push_back(source_error(ids::kAuditSourceUnreadable, names.error().to_string(), proc_root));
    c.failed = true;
    return c;
  }
  std::vector<long> pids;
  for (const auto& n : *names)
    if (!n.empty() && std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      pids.push_back(std::stol(n));
  std::sort(pids.begin(), pids.end());
  for (long pid : pids) {
    const std::string dir = fmt::format("{}/{}", proc_root, pid);
    const std::string bytes = read_proc_file(dir + "/cmdline");
    if (bytes.empty()) continue;  // gone, a kernel thread, or not ours to read
    std::vector<std::string> argv;
    std::string cur;
    for (char b : bytes) {
      if (b == 0) {
        argv.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += static_cast<char>(b);
      }
    }
    if (!cur.empty()) argv.push_back(std::move(cur));
    if (argv.empty()) continue;
    std::string exe;
    char buf[4096];
    const ssize_t n = ::readlink((dir + "/exe").c_str(), buf, sizeof buf - 1);
    if (n > 0) exe.assign(buf, static_cast<size_t>(n));
    if (exe.ends_with(" (deleted)")) exe.resize(exe.size() - 10);
    if (basename_of(argv[0]) != "qemu-system-s390x" && basename_of(exe) != "qemu-system-s390x") continue;
    GuestDefinition g;
    g.kind = SourceKind::kProcess;
    g.source = dir;
    g.active = true;
    g.name = qemu_name(argv);
    if (g.name.empty()) g.name = fmt::format("pid {}", pid);
    g.qemu_argv = std::move(argv);
    c.guests.push_back(std::move(g));
  }
  return c;
}

}  // namespace sipl::fleet

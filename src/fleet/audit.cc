// sipl audit: each guest predicted now and at the instants its store's certificates start or
// stop being valid; guests share stores, disks and identical predictions (shared_work.h).
#include "sipl/fleet/audit.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "fleet/shared_work.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/mgmt/domain_file.h"
#include "sipl/mgmt/domain_validate.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/predict/boot_prediction.h"

namespace sipl::fleet {
namespace {

using detail::SharedWork;

GuestVerdict from_fw(fw::Verdict v) {
  switch (v) {
    case fw::Verdict::kBoots: return GuestVerdict::kBoots;
    case fw::Verdict::kBootsWithWarnings: return GuestVerdict::kBootsWithWarnings;
    case fw::Verdict::kHalts: return GuestVerdict::kHalts;
    case fw::Verdict::kNoBootableDevice: return GuestVerdict::kNoBootableDevice;
  }
  return GuestVerdict::kUnknown;
}

// What one BIOS run says, for the prediction cache.
struct Outcome {
  GuestVerdict verdict = GuestVerdict::kUnknown;
  std::string halt_reason;
  std::optional<Finding> problem;  // why there is no BIOS verdict (QEMU refuses, unreadable disk)
};

struct Context {
  const AuditRequest& request;
  mgmt::ValidationContext target;
  SharedWork work;
  detail::OnceMap<Outcome> predictions;
};

// Returns a finding; one about a local file (a "path" parameter, except audit.remote_path's,
// which names a file on another host) has that file as its location too.
Finding finding(Severity s, std::string id, std::string message,
                std::vector<std::pair<std::string, std::string>> params = {}) {
  Finding f{s, std::move(id), std::move(message), std::move(params)};
  if (const std::string* p = f.param("path"); p != nullptr && f.id != ids::kAuditRemotePath) f.where.path = *p;
  return f;
}

// Returns a finding that reports `e`: its text, and its location.
Finding error_finding(std::string id, const Error& e) {
  Finding f = finding(Severity::kError, std::move(id), e.to_string());
  if (!e.where.empty()) f.where = e.where;
  return f;
}

std::string device_key(SharedWork& work, const hv::BootDevice& d) {
  (void)work;
  return fmt::format("{}:{}:{}:{};", static_cast<int>(d.kind), d.image.empty() ? "" : detail::file_identity(d.image),
                     d.bootindex, d.loadparm.value_or("\x01"));
}

// The validity of every store certificate at `t`, as '1'/'0': two instants with the same
// pattern give the same BIOS run.
std::string validity_pattern(const hv::CertificateStore& store, UnixTime t) {
  std::string s;
  for (const auto& e : store.entries()) s += e.cert.valid_at(t) ? '1' : '0';
  return s;
}

Outcome predict_at(Context& ctx, const hv::MachineOptions& options, const std::string& machine_key,
                   const hv::CertificateStore& store, UnixTime t) {
  return ctx.predictions.get(machine_key + "|" + validity_pattern(store, t), [&] {
    Outcome o;
    fw::IplOptions ipl;
    ipl.at = t;
    ipl.open_disk = [&ctx](const std::string& path) -> Result<image::DiskImage> {
      const auto& d = ctx.work.disk(path);
      if (!d.disk) return tl::unexpected(*d.error);
      return d.disk->share();
    };
    Findings ignored;  // the store's warnings were reported when it was built
    auto p = predict::predict_machine(options, ipl, &ignored);
    if (!p) {
      const bool refused = p.error().code == ErrorCode::kUnsupported;
      o.verdict = refused ? GuestVerdict::kInvalid : GuestVerdict::kUnknown;
      o.problem = refused ? finding(Severity::kError, ids::kAuditQemuRefuses,
                                    "QEMU refuses this machine: " + p.error().message)
                          : error_finding(ids::kAuditPredictionFailed, p.error());
      return o;
    }
    o.verdict = from_fw(p->ipl.verdict);
    o.halt_reason = p->ipl.halt_reason;
    return o;
  });
}

std::string describe(const hv::StoreEntry& e, size_t i) {
  return fmt::format("certificate '{}' ({}, store #{})", e.cert.subject(), e.path, i + 1);
}

// The certificates' findings over the horizon, and the instants where the verdict may change.
std::vector<UnixTime> certificate_instants(const hv::CertificateStore& store, UnixTime at, UnixTime until,
                                           Findings& out) {
  std::set<UnixTime> instants;
  const auto& entries = store.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& c = entries[i].cert;
    std::vector<std::pair<std::string, std::string>> params{
        {"path", entries[i].path}, {"subject", c.subject()}, {"store_index", std::to_string(i + 1)},
        {"not_before", format_time(c.not_before())}, {"not_after", format_time(c.not_after())}};
    if (c.not_after() < at)
      out.push_back(finding(Severity::kInfo, ids::kAuditCertificateExpired,
                            fmt::format("{} expired at {}", describe(entries[i], i), format_time(c.not_after())), params));
    else if (c.not_after() < until)
      out.push_back(finding(Severity::kWarning, ids::kAuditCertificateExpires,
                            fmt::format("{} expires at {}, within the horizon", describe(entries[i], i),
                                        format_time(c.not_after())),
                            params));
    if (c.not_before() > at)
      out.push_back(finding(Severity::kInfo, ids::kAuditCertificateNotYetValid,
                            fmt::format("{} is not valid before {}", describe(entries[i], i), format_time(c.not_before())),
                            params));
    // Valid from not_before through not_after (GnuTLS's checks): the verdict can change at
    // not_before and one second after not_after.
    if (c.not_before() > at && c.not_before() <= until) instants.insert(c.not_before());
    if (c.not_after() >= at && c.not_after() < until) instants.insert(c.not_after() + 1);
  }
  return {instants.begin(), instants.end()};
}

std::string what_changes(const hv::CertificateStore& store, UnixTime t) {
  std::vector<std::string> parts;
  const auto& entries = store.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].cert.not_after() + 1 == t) parts.push_back(describe(entries[i], i) + " expires");
    if (entries[i].cert.not_before() == t) parts.push_back(describe(entries[i], i) + " becomes valid");
  }
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

// The machine a guest describes, with what its definition says about itself.
struct Described {
  std::optional<hv::MachineOptions> options;
  std::optional<mgmt::Domain> domain;
};

Described describe_guest(Context& ctx, const GuestDefinition& g, GuestAudit& a) {
  Described d;
  Findings notes;
  if (g.kind == SourceKind::kProcess) {
    a.boot_certs_form = "argv";
    auto o = predict::machine_options_for_argv(g.qemu_argv, &notes, false);
    if (!o) a.findings.push_back(error_finding(ids::kAuditMachineUnreadable, o.error()));
    else d.options = std::move(*o);
    return d;
  }
  auto x = mgmt::DomainXml::parse(g.domain_xml, g.source);
  if (!x) {
    a.findings.push_back(error_finding(ids::kAuditXmlUnreadable, x.error()));
    return d;
  }
  const mgmt::Domain& dom = x->domain();
  d.domain = dom;
  a.boot_certs_form = mgmt::to_string(dom.os.boot_certs_form);
  for (auto f : mgmt::validate_domain(*x, ctx.target)) {
    if (f.id == ids::kQemuTooOld || f.id == ids::kQemuNoBootCerts) f.id = ids::kAuditUnsupportedQemu;
    else if (f.id == ids::kSecureBootNoCerts) f.id = ids::kAuditSecureBootWithoutCertificates;
    a.findings.push_back(std::move(f));
  }
  if (!g.defined_xml.empty()) {
    auto def = mgmt::DomainXml::parse(g.defined_xml, g.source);
    if (def && !def->domain().os.boot_certs.empty() && dom.os.boot_certs.empty())
      a.findings.push_back(finding(
          Severity::kWarning, ids::kAuditBootCertsDropped,
          fmt::format("{} returned domain '{}' without the boot certificates its definition names ({}): this libvirt "
                      "dropped them, and the guest boots without secure IPL checks; libvirt before 12.9 keeps "
                      "them only in the <qemu:commandline> form ('sipl domain normalize --libvirt-version 9.0')",
                      g.source, dom.name, def->domain().os.boot_certs.front()),
          {{"source", g.source}, {"name", dom.name}}));
  }
  auto o = predict::machine_options_for_domain(dom, &notes);
  if (!o) a.findings.push_back(finding(Severity::kError, ids::kAuditMachineUnreadable, o.error().to_string()));
  else d.options = std::move(*o);
  return d;
}

GuestAudit audit_one(Context& ctx, const GuestDefinition& g) {
  GuestAudit a;
  a.name = g.name;
  a.kind = g.kind;
  a.source = g.source;
  a.findings = g.findings;
  Described d = describe_guest(ctx, g, a);
  if (!d.options) return a;
  hv::MachineOptions& opts = *d.options;
  a.mode = hv::ipl_mode(opts.secure_boot, opts.boot_certs.size());
  if (mgmt::has_errors(a.findings)) {
    // libvirt (or QEMU, for the version checks) refuses the domain: it does not start.
    a.verdict = GuestVerdict::kInvalid;
    return a;
  }
  if (g.remote) {
    // The paths are the remote host's: never read a local file of the same name.
    for (const auto& p : opts.boot_certs)
      a.findings.push_back(finding(Severity::kWarning, ids::kAuditRemotePath,
                                   fmt::format("boot certificate path {} is on the host of {}; sipl cannot read it "
                                               "from here, so the store is not checked",
                                               p, g.source),
                                   {{"path", p}, {"source", g.source}}));
    for (const auto& dev : opts.devices)
      if (!dev.image.empty())
        a.findings.push_back(finding(Severity::kWarning, ids::kAuditRemotePath,
                                     fmt::format("disk {} is on the host of {}; sipl cannot read it from here", dev.image,
                                                 g.source),
                                     {{"path", dev.image}, {"source", g.source}}));
    return a;
  }
  std::string store_key;
  const auto& built = ctx.work.store(opts.boot_certs, &store_key);
  for (const auto& w : built.warnings) a.findings.push_back(w);
  a.store_warnings = built.warnings.size();
  if (!built.store) {
    const bool over = built.error->code == ErrorCode::kLimit &&
                      built.error->message.find("maximum of") != std::string::npos;
    a.findings.push_back(finding(Severity::kError, over ? ids::kAuditStoreOver64 : ids::kAuditStoreUnreadable,
                                 "QEMU refuses the certificate store: " + built.error->to_string()));
    a.verdict = GuestVerdict::kInvalid;
    return a;
  }
  const hv::CertificateStore& store = *built.store;
  opts.store = built.store;
  a.store_count = store.count();
  a.mode = hv::ipl_mode(opts.secure_boot, store.count());
  if (*a.mode == hv::IplMode::kInvalid &&
      std::none_of(a.findings.begin(), a.findings.end(),
                   [](const Finding& f) { return f.id == ids::kAuditSecureBootWithoutCertificates; }))
    a.findings.push_back(finding(Severity::kError, ids::kAuditSecureBootWithoutCertificates,
                                 "secure-boot is on but the certificate store is empty: the BIOS halts"));
  // QEMU opens every disk when it starts; one sipl cannot read leaves the verdict unknown.
  for (const auto& dev : opts.devices) {
    if (dev.image.empty()) continue;
    const auto& disk = ctx.work.disk(dev.image);
    if (!disk.disk) {
      a.findings.push_back(finding(Severity::kError, ids::kAuditDiskUnreadable, disk.error->to_string(),
                                   {{"path", dev.image}}));
      return a;
    }
  }
  std::string machine_key = store_key + fmt::format("|sb={}|cpu={}|pv={}|ram={}|lp={}|", opts.secure_boot,
                                                    opts.cpu_model, opts.protected_virtualization, opts.ram_bytes,
                                                    opts.loadparm.value_or("\x01"));
  for (const auto& dev : opts.devices) machine_key += device_key(ctx.work, dev);

  const UnixTime at = ctx.request.at, until = ctx.request.until;
  Outcome now = predict_at(ctx, opts, machine_key, store, at);
  a.verdict = now.verdict;
  a.halt_reason = now.halt_reason;
  if (now.problem) a.findings.push_back(*now.problem);
  const auto instants = certificate_instants(store, at, until, a.findings);
  if (now.verdict == GuestVerdict::kUnknown || now.verdict == GuestVerdict::kInvalid) return a;
  for (UnixTime t : instants) {
    Outcome then = predict_at(ctx, opts, machine_key, store, t);
    if (then.verdict == now.verdict) continue;
    a.changes_at = t;
    a.verdict_then = then.verdict;
    a.change = what_changes(store, t);
    a.findings.push_back(finding(fails(then.verdict) ? Severity::kError : Severity::kWarning, ids::kAuditVerdictChanges,
                                 fmt::format("at {} the verdict becomes '{}' ({}){}", format_time(t),
                                             to_string(then.verdict), a.change,
                                             then.halt_reason.empty() ? "" : ": " + then.halt_reason),
                                 {{"changes_at", format_time(t)}, {"verdict", to_string(then.verdict)}}));
    break;
  }
  return a;
}

int rank(const GuestAudit& g) {
  if (fails(g.verdict)) return 0;
  if (g.verdict == GuestVerdict::kUnknown) return 1;
  if (g.changes_at && fails(g.verdict_then)) return 2;
  if (g.changes_at) return 3;
  if (g.verdict == GuestVerdict::kBootsWithWarnings) return 4;
  return 5;
}

// The boot-certs a domain's own definition (an XML file given to the same audit) carries,
// for the libvirt copies of it: what libvirt dropped is then named.
void link_definitions(std::vector<GuestDefinition>& guests) {
  for (auto& g : guests) {
    if (g.kind != SourceKind::kLibvirt || !g.defined_xml.empty() || g.remote) continue;
    for (const auto& f : guests)
      if (f.kind == SourceKind::kXml && ((!g.uuid.empty() && f.uuid == g.uuid) || f.name == g.name)) {
        g.defined_xml = f.domain_xml;
        break;
      }
  }
}

}  // namespace

const char* to_string(GuestVerdict v) {
  switch (v) {
    case GuestVerdict::kBoots: return "boots";
    case GuestVerdict::kBootsWithWarnings: return "boots with warnings";
    case GuestVerdict::kHalts: return "halts";
    case GuestVerdict::kNoBootableDevice: return "no bootable device";
    case GuestVerdict::kInvalid: return "invalid";
    case GuestVerdict::kUnknown: return "unknown";
  }
  return "?";
}

bool fails(GuestVerdict v) {
  return v == GuestVerdict::kHalts || v == GuestVerdict::kNoBootableDevice || v == GuestVerdict::kInvalid;
}

bool GuestAudit::fails_within_horizon() const { return fails(verdict) || (changes_at && fails(verdict_then)); }

AuditReport audit_guests(std::vector<GuestDefinition> guests, const AuditRequest& request) {
  link_definitions(guests);
  Context ctx{request, {}, {}, {}};
  if (auto t = mgmt::qemu_target(request.qemu_version, ""); t) ctx.target = *t;
  AuditReport r;
  r.at = request.at;
  r.until = request.until;
  r.guests.resize(guests.size());
  std::atomic<size_t> next{0}, done{0};
  auto worker = [&] {
    for (size_t i = next++; i < guests.size(); i = next++) {
      r.guests[i] = audit_one(ctx, guests[i]);
      const size_t d = ++done;
      if (request.progress) request.progress(d, guests.size());
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(request.threads, static_cast<unsigned>(guests.size())));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < n; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  std::stable_sort(r.guests.begin(), r.guests.end(), [](const GuestAudit& x, const GuestAudit& y) {
    const int rx = rank(x), ry = rank(y);
    if (rx != ry) return rx < ry;
    if (x.changes_at != y.changes_at) return x.changes_at.value_or(0) < y.changes_at.value_or(0);
    if (x.name != y.name) return x.name < y.name;
    return x.source < y.source;
  });
  r.stats = {guests.size(), ctx.work.stores_built(), ctx.work.disks_opened(), ctx.work.disk_bytes_read(),
             ctx.predictions.size()};
  return r;
}

Result<AuditReport> audit(const AuditRequest& request) {
  if (request.connect.empty() && request.xml_paths.empty() && !request.processes)
    return fail(ErrorCode::kUsage, "give at least one of --connect URI, --xml-dir DIR, an XML file or --processes");
  if (request.until < request.at)
    return fail(ErrorCode::kUsage, fmt::format("the horizon ends at {}, before --at {}", format_time(request.until),
                                               format_time(request.at)));
  if (auto t = mgmt::qemu_target(request.qemu_version, ""); !t) return tl::unexpected(t.error());
  std::vector<GuestDefinition> guests;
  Findings findings;
  bool failed = false;
  auto take = [&](Collection c) {
    for (auto& g : c.guests) guests.push_back(std::move(g));
    findings.insert(findings.end(), c.findings.begin(), c.findings.end());
    failed = failed || c.failed;
  };
  for (const auto& uri : request.connect) {
    auto c = collect_libvirt(uri);
    if (!c) return tl::unexpected(c.error());
    take(std::move(*c));
  }
  if (!request.xml_paths.empty()) take(collect_xml(request.xml_paths));
  if (request.processes) take(collect_processes(request.proc_root));
  AuditReport r = audit_guests(std::move(guests), request);
  r.findings = std::move(findings);
  r.source_failed = failed;
  return r;
}

}  // namespace sipl::fleet

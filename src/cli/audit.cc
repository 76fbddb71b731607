// sipl audit: which guests will not boot, when, and why, over libvirt connections, domain XML
// files and running QEMU processes. The work is fleet::audit; this file parses the options and
// renders the report as a table, JSON or a Prometheus textfile.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/fleet/audit.h"

namespace sipl::cli {
namespace {

constexpr int64_t kDefaultHorizon = 30 * 86400;

struct AuditOptions {
  std::vector<std::string> connect;
  std::vector<std::string> xml_dirs;
  std::vector<std::string> xml_files;
  bool processes = false;
  std::string horizon;
  std::string until;
  std::string at;
  std::string qemu_version;
  bool json = false;
  std::string format;
  std::string output = "-";
  unsigned threads = 2;
};

// Returns the seconds of a duration such as 90d, 12h, 30m, 45s or 2w.
Result<int64_t> parse_duration(const std::string& text) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  int64_t unit = 0;
  if (ec == std::errc() && p + 1 == end) {
    switch (*p) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      default: break;
    }
  }
  if (unit == 0 || n < 0 || n > INT64_MAX / unit / 4)
    return fail(ErrorCode::kUsage, fmt::format("--horizon '{}' is not a duration such as 90d, 12h, 30m, 45s or 2w", text));
  return n * unit;
}

std::string verdict_name(fleet::GuestVerdict v) { return enum_name(fleet::to_string(v)); }

std::string mode_name(const fleet::GuestAudit& g) { return g.mode ? hv::to_string(*g.mode) : "unknown"; }

Json guest_json(const fleet::GuestAudit& g) {
  Json j;
  j["name"] = g.name;
  j["source"] = g.source;
  j["source_kind"] = fleet::to_string(g.kind);
  j["mode"] = g.mode ? Json(hv::to_string(*g.mode)) : Json(nullptr);
  j["boot_certs_form"] = nonempty_or_null(g.boot_certs_form);
  j["store"] = g.store_count ? Json{{"count", *g.store_count}, {"warnings", g.store_warnings}} : Json(nullptr);
  j["verdict"] = verdict_name(g.verdict);
  j["halt_reason"] = nonempty_or_null(g.halt_reason);
  j["changes_at"] = g.changes_at ? Json(format_time(*g.changes_at)) : Json(nullptr);
  j["verdict_then"] = g.changes_at ? Json(verdict_name(g.verdict_then)) : Json(nullptr);
  j["change"] = nonempty_or_null(g.change);
  j["fails_within_horizon"] = g.fails_within_horizon();
  j["findings"] = Json::array();
  append_findings(j["findings"], g.findings);
  return j;
}

std::string render_json(const fleet::AuditReport& r) {
  auto doc = json_document();
  doc["at"] = format_time(r.at);
  doc["until"] = format_time(r.until);
  auto& gs = doc["guests"] = Json::array();
  for (const auto& g : r.guests) gs.push_back(guest_json(g));
  doc["findings"] = Json::array();
  append_findings(doc["findings"], r.findings);
  doc["stats"] = {{"guests", r.stats.guests},
                  {"stores_built", r.stats.stores_built},
                  {"disks_opened", r.stats.disks_opened},
                  {"disk_bytes_read", r.stats.disk_bytes_read},
                  {"predictions", r.stats.predictions}};
  return doc.dump(2) + "\n";
}

// Prometheus label values escape backslash, double quote and newline.
std::string label(const std::string& v) {
  std::string o;
  for (char c : v) {
    if (c == '\\') o += "\\\\";
    else if (c == '"') o += "\\\"";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

std::string render_prometheus(const fleet::AuditReport& r) {
  std::string s;
  auto family = [&](const char* name, const char* help) {
    s += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
  };
  auto labels = [](const fleet::GuestAudit& g) {
    return fmt::format("guest=\"{}\",source=\"{}\"", label(g.name), label(g.source));
  };
  family("sipl_audit_guest_verdict", "The predicted verdict of the guest's next boot now (1 for the verdict labelled).");
  for (const auto& g : r.guests)
    s += fmt::format("sipl_audit_guest_verdict{{{},mode=\"{}\",verdict=\"{}\"}} 1\n", labels(g), mode_name(g),
                     verdict_name(g.verdict));
  family("sipl_audit_guest_boots", "1 when the guest's next boot now is predicted to come up, 0 when not or unknown.");
  for (const auto& g : r.guests)
    s += fmt::format("sipl_audit_guest_boots{{{}}} {}\n", labels(g),
                     static_cast<int>(g.verdict == fleet::GuestVerdict::kBoots ||
                                      g.verdict == fleet::GuestVerdict::kBootsWithWarnings));
  family("sipl_audit_guest_seconds_until_change",
         "Seconds from the audit's time until the predicted verdict changes; +Inf when it does not change within the horizon.");
  for (const auto& g : r.guests)
    s += fmt::format("sipl_audit_guest_seconds_until_change{{{}}} {}\n", labels(g),
                     g.changes_at ? std::to_string(*g.changes_at - r.at) : "+Inf");
  family("sipl_audit_guest_fails_within_horizon",
         "1 when the guest does not boot now or stops booting within the horizon, or sipl cannot tell.");
  for (const auto& g : r.guests)
    s += fmt::format("sipl_audit_guest_fails_within_horizon{{{}}} {}\n", labels(g),
                     static_cast<int>(g.fails_within_horizon() || g.verdict == fleet::GuestVerdict::kUnknown));
  family("sipl_audit_guest_findings", "The guest's findings by severity.");
  for (const auto& g : r.guests)
    for (Severity sev : {Severity::kError, Severity::kWarning, Severity::kInfo})
      s += fmt::format("sipl_audit_guest_findings{{{},severity=\"{}\"}} {}\n", labels(g), to_string(sev),
                       std::count_if(g.findings.begin(), g.findings.end(),
                                     [&](const Finding& f) { return f.severity == sev; }));
  family("sipl_audit_horizon_seconds", "The length of the horizon audited.");
  s += fmt::format("sipl_audit_horizon_seconds {}\n", r.until - r.at);
  family("sipl_audit_time_seconds", "The instant audited (--at), as Unix time.");
  s += fmt::format("sipl_audit_time_seconds {}\n", r.at);
  family("sipl_audit_sources_failed", "1 when a source (libvirt connection, directory) could not be read.");
  s += fmt::format("sipl_audit_sources_failed {}\n", r.source_failed ? 1 : 0);
  return s;
}

std::string shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : "…" + s.substr(s.size() - (n - 1));
}

std::string render_table(const fleet::AuditReport& r) {
  std::string s = fmt::format("Audit at {}, horizon until {}\n\n", format_time(r.at), format_time(r.until));
  size_t wname = 5, wsrc = 6;
  for (const auto& g : r.guests) {
    wname = std::max(wname, std::min<size_t>(g.name.size(), 32));
    wsrc = std::max(wsrc, std::min<size_t>(g.source.size(), 40));
  }
  s += fmt::format("{:<{}}  {:<{}}  {:<7}  {:>5}  {:<19}  {}\n", "GUEST", wname, "SOURCE", wsrc, "MODE", "STORE",
                   "VERDICT", "WITHIN HORIZON");
  for (const auto& g : r.guests) {
    std::string horizon = g.changes_at ? fmt::format("{} at {}", fleet::to_string(g.verdict_then), format_time(*g.changes_at))
                                       : "no change";
    s += fmt::format("{:<{}}  {:<{}}  {:<7}  {:>5}  {:<19}  {}\n", shorten(g.name, 32), wname, shorten(g.source, 40),
                     wsrc, mode_name(g), g.store_count ? std::to_string(*g.store_count) : "-",
                     fleet::to_string(g.verdict), horizon);
  }
  bool header = false;
  for (const auto& g : r.guests)
    for (const auto& f : g.findings) {
      if (f.severity == Severity::kInfo) continue;
      if (!header) s += "\nFindings:\n";
      header = true;
      s += fmt::format("  {} ({}): {}: [{}] {}\n", g.name, g.source, to_string(f.severity), f.id, f.message);
    }
  size_t failing = 0, unknown = 0;
  for (const auto& g : r.guests) {
    failing += g.fails_within_horizon();
    unknown += g.verdict == fleet::GuestVerdict::kUnknown;
  }
  s += fmt::format("\n{} guest{}: {} fail{} now or within the horizon, {} unknown\n", r.guests.size(),
                   r.guests.size() == 1 ? "" : "s", failing, failing == 1 ? "s" : "", unknown);
  return s;
}

// A progress bar on stderr, redrawn at most once per guest.
class Progress {
 public:
  void operator()(size_t done, size_t total) {
    std::lock_guard lock(mu_);
    const size_t width = 30, filled = total ? done * width / total : width;
    fmt::print(stderr, "\r[{}{}] {}/{} guests", std::string(filled, '#'), std::string(width - filled, ' '), done, total);
    if (done == total) fmt::print(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  std::mutex mu_;
};

Result<int> run_audit(const AuditOptions& o, Context& ctx) {
  std::string format = o.format.empty() ? (o.json ? "json" : "table") : o.format;
  if (o.json && format != "json") return fail(ErrorCode::kUsage, "--json and --format " + format + " contradict each other");
  if (!o.horizon.empty() && !o.until.empty()) return fail(ErrorCode::kUsage, "give --horizon or --until, not both");
  auto at = resolve_at(o.at);
  if (!at) return tl::unexpected(at.error());
  fleet::AuditRequest req;
  req.at = *at;
  if (!o.until.empty()) {
    auto u = parse_time(o.until);
    if (!u) return tl::unexpected(u.error());
    req.until = *u;
  } else {
    auto h = o.horizon.empty() ? Result<int64_t>(kDefaultHorizon) : parse_duration(o.horizon);
    if (!h) return tl::unexpected(h.error());
    req.until = *at + *h;
  }
  req.connect = o.connect;
  req.xml_paths = o.xml_dirs;
  req.xml_paths.insert(req.xml_paths.end(), o.xml_files.begin(), o.xml_files.end());
  req.processes = o.processes;
  req.qemu_version = o.qemu_version;
  if (o.threads == 0) return fail(ErrorCode::kUsage, "--threads must be at least 1");
  req.threads = o.threads;
  Progress progress;
  if (::isatty(STDERR_FILENO)) {
    req.progress = [&progress](size_t done, size_t total) {
      if (total > 5) progress(done, total);
    };
  }
  auto r = fleet::audit(req);
  if (!r) return tl::unexpected(r.error());
  // A source that could not be read is exit 3: under --json the error document (the JSON
  // contract), otherwise the report of the other sources first.
  const Finding* source_error = nullptr;
  for (const auto& f : r->findings)
    if (f.severity == Severity::kError && !source_error) source_error = &f;
  if (r->source_failed && format == "json")
    return fail(ErrorCode::kIo, source_error ? source_error->message : "a source could not be read");
  for (const auto& f : r->findings)
    if (f.severity != Severity::kInfo) fmt::print(stderr, "sipl: {}: {}\n", to_string(f.severity), f.message);
  std::string out = format == "json"         ? render_json(*r)
                    : format == "prometheus" ? render_prometheus(*r)
                                             : render_table(*r);
  if (auto w = write_output(o.output, as_bytes(std::string_view(out))); !w) return tl::unexpected(w.error());
  (void)ctx;
  if (r->source_failed) return 3;
  for (const auto& g : r->guests)
    if (g.fails_within_horizon() || g.verdict == fleet::GuestVerdict::kUnknown) return 1;
  return 0;
}

void setup(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<AuditOptions>();
  auto* sub = app.add_subcommand("audit", "Which guests will not boot, when, and why: a host's or a fleet's guests");
  sub->add_option("--connect", o->connect, "libvirt URI (repeatable): every s390x domain, active and inactive")
      ->type_name("URI");
  sub->add_option("--xml-dir", o->xml_dirs, "Directory of domain XML files, e.g. /etc/libvirt/qemu (repeatable)")
      ->type_name("DIR");
  sub->add_flag("--processes", o->processes, "Running qemu-system-s390x processes, from /proc/PID/cmdline");
  sub->add_option("--horizon", o->horizon, "How far ahead to look: 90d, 12h, 30m, 45s, 2w (default 30d)")
      ->type_name("DURATION");
  sub->add_option("--until", o->until, "End of the horizon (RFC 3339 or @unix) instead of --horizon")->type_name("TIME");
  sub->add_option("--at", o->at, "Host clock the audit starts at (RFC 3339 or @unix; default now)")->type_name("TIME");
  sub->add_option("--qemu-version", o->qemu_version,
                  "The guests' QEMU, e.g. 7.2.0: boot certificates on a QEMU without them are findings")
      ->type_name("VERSION");
  sub->add_flag("--json", o->json, "Print one JSON document (schema_version 2); same as --format json");
  sub->add_option("--format", o->format, "Output format (default table)")
      ->type_name("FORMAT")
      ->check(one_of({"table", "json", "prometheus"}));
  sub->add_option("-o,--output", o->output, "Write the report to FILE atomically (default -: standard output)")
      ->type_name("FILE");
  sub->add_option("--threads", o->threads, "Worker threads (default 2)")->type_name("N");
  sub->add_option("XML", o->xml_files, "Domain XML files");
  document(sub, {
      .description =
          {"Collects guests from libvirt connections (--connect, through libvirt's C API: every s390x domain, active "
           "and inactive, by its XML; remote URIs such as qemu+ssh://host/system go through libvirt's own protocol), "
           "domain XML files and directories, and running qemu-system-s390x processes (--processes: their command "
           "lines, which is what their next reboot uses), and predicts each guest's next boot the way 'sipl boot' "
           "does: QEMU's certificate store, the s390-ccw BIOS's walk of the boot disk, the verdict.",
           "QEMU checks certificate validity against the host clock at every boot, so a guest that boots today halts "
           "at its next reboot once the certificate that verifies its kernel expires. For every guest the audit "
           "finds the first instant of the horizon (--horizon, or --until; from --at) at which the verdict changes: "
           "it predicts the boot at each instant where a certificate of the guest's store starts or stops being "
           "valid (a certificate is valid from its notBefore through its notAfter, so an expiry changes the "
           "verdict one second after notAfter).",
           "Findings have stable ids: audit.certificate_expires (within the horizon), audit.store_over_64, "
           "audit.store_unreadable, audit.disk_unreadable, audit.secure_boot_without_certificates, "
           "audit.unsupported_qemu (with --qemu-version), audit.qemu_refuses, audit.boot_certs_dropped (libvirt "
           "returned a domain without the boot certificates its definition names: libvirt before 12.9 drops "
           "<boot-certs>), audit.remote_path (a path on a remote host, never read from this one), "
           "audit.verdict_changes, and the domain validation's own ids.",
           "Guests share work: each certificate store and each disk is read once however many guests name it "
           "(files are told apart by canonical path and stat identity), identical machines are predicted once, "
           "and two worker threads share the guests. On a terminal, more than five guests get a progress bar on "
           "standard error.",
           "The table lists one guest a line, worst first: not booting now, unknown, stopping within the horizon "
           "(soonest first), changing otherwise, booting with warnings, booting. --format prometheus writes a "
           "node_exporter textfile-collector file (write it with -o into the collector's directory: it is "
           "replaced atomically)."},
      .exit_status = {{0, "every guest boots now and throughout the horizon"},
                      {1, "a guest does not boot now or stops booting within the horizon, or sipl cannot tell "
                          "(verdict unknown)"},
                      {2, "usage error, e.g. no source given"},
                      {3, "a source could not be read (a libvirt connection or a directory); the report "
                          "covers the others"},
                      {4, "--connect with a sipl built without libvirt"}},
      .json = {{"at", "the instant audited (RFC 3339, UTC)"},
               {"until", "the end of the horizon"},
               {"guests[]", "one per guest, worst first: name, source, source_kind (libvirt, xml, process), mode "
                            "(normal, audit, secure, invalid, or null), boot_certs_form (none, libvirt, seed, "
                            "qemu_commandline, mixed, argv or null), store ({count, warnings} or null), verdict "
                            "(boots, boots_with_warnings, halts, no_bootable_device, invalid, unknown), halt_reason, "
                            "changes_at (RFC 3339 or null), verdict_then, change, fails_within_horizon, findings"},
               {"findings[]", "about the sources: domains skipped, connections that failed"},
               {"stats", "guests, stores_built, disks_opened, disk_bytes_read, predictions"}},
      .examples = {{"sipl audit --connect qemu:///system --horizon 90d",
                    "Which guests of this host stop booting within 90 days"},
                   {"sipl audit --xml-dir /etc/libvirt/qemu --processes --json",
                    "The defined and the running guests, as JSON"},
                   {"sipl audit --connect qemu+ssh://root@kvm1/system --connect qemu+ssh://root@kvm2/system",
                    "A fleet through libvirt's remote protocol (paths on remote hosts are reported, not read)"},
                   {"sipl audit --connect qemu:///system --format prometheus \\\n"
                    "    -o /var/lib/prometheus/node-exporter/sipl.prom",
                    "A textfile-collector file for node_exporter"}},
      .see_also = {"virsh(1)", "qemu-system-s390x(1)"},
  });
  sub->callback([o, &ctx] {
    if (o->format == "json") ctx.json = true;
    run_verb(ctx, [&] { return run_audit(*o, ctx); });
  });
}

SIPL_REGISTER_VERB(75, setup);

}  // namespace
}  // namespace sipl::cli

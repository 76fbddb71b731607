#include "mgmt/domain_forms.h"

#include <string>
#include <string_view>
#include <vector>

#include "mgmt/xml_node.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt::forms {
namespace {

const xmlChar* u(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
std::string_view name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

bool whitespace_text(const xmlNode* n) {
  if (n == nullptr || n->type != XML_TEXT_NODE || n->content == nullptr) return false;
  for (const xmlChar* p = n->content; *p != 0; ++p)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
  return true;
}

// Returns the indentation before `n` ("" when none).
std::string indent_of(const xmlNode* n) {
  if (!whitespace_text(n->prev)) return "";
  std::string s = reinterpret_cast<const char*>(n->prev->content);
  auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

// Unlinks and frees `n` with the whitespace before it.
void remove(xmlNode* n) {
  if (whitespace_text(n->prev)) {
    xmlNode* ws = n->prev;
    xmlUnlinkNode(ws);
    xmlFreeNode(ws);
  }
  xmlUnlinkNode(n);
  xmlFreeNode(n);
}

bool has_element_children(const xmlNode* n) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

// Appends `child` as the last element of `parent`, indented one level (2 spaces) deeper.
void append(xmlNode* parent, xmlNode* child) {
  const std::string inner = "\n" + indent_of(parent) + "  ";
  xmlNode* last = parent->last;
  if (whitespace_text(last)) {
    // Element first: libxml2 merges a text node added next to another text node into it.
    xmlAddPrevSibling(last, child);
    xmlAddPrevSibling(child, xmlNewText(u(inner.c_str())));
  } else {
    xmlAddChild(parent, xmlNewText(u(inner.c_str())));
    xmlAddChild(parent, child);
    xmlAddChild(parent, xmlNewText(u(("\n" + indent_of(parent)).c_str())));
  }
}

bool is_qemu_commandline(const xmlNode* n) {
  return n->type == XML_ELEMENT_NODE && n->ns != nullptr && n->ns->href != nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->ns->href)) == kQemuNamespace && name_of(n) == "commandline";
}

bool is_secure_ipl_key(const std::string& k) { return k == "secure-boot" || k.rfind("boot-certs.", 0) == 0; }

// Removes boot-certs.N.path and secure-boot from the -machine options of every
// <qemu:commandline> (an option left without keys goes, with its -machine); returns the first
// <qemu:commandline>, removed too when nothing is left in it.
xmlNode* strip_qemu_machine_options(xmlNode* root) {
  xmlNode* first = nullptr;
  for (xmlNode* c = root->children; c != nullptr;) {
    xmlNode* next_c = c->next;
    if (!is_qemu_commandline(c)) {
      c = next_c;
      continue;
    }
    std::vector<xmlNode*> args;
    for (xmlNode* a = c->children; a != nullptr; a = a->next)
      if (a->type == XML_ELEMENT_NODE && name_of(a) == "arg") args.push_back(a);
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      const auto opt = xml::attr(args[i], "value");
      if (opt != std::optional<std::string>("-machine") && opt != std::optional<std::string>("-M")) continue;
      auto kv = parse_keyval(xml::attr(args[i + 1], "value").value_or(""), "type");
      if (!kv) continue;
      std::string rest;
      bool touched = false;
      for (const auto& [k, v] : *kv) {
        if (is_secure_ipl_key(k)) {
          touched = true;
          continue;
        }
        rest += (rest.empty() ? "" : ",") + k + "=" + escape_keyval(v);
      }
      if (!touched) continue;
      if (rest.empty()) {
        remove(args[i]);
        remove(args[i + 1]);
      } else {
        xmlSetProp(args[i + 1], u("value"), u(rest.c_str()));
      }
      ++i;
    }
    if (!has_element_children(c)) remove(c);
    else if (first == nullptr) first = c;
    c = next_c;
  }
  return first;
}

xmlNode* find_child(xmlNode* n, std::string_view name) {
  for (xmlNode* c = n->children; c != nullptr; c = c->next)
    if (xml::is(c, name)) return c;
  return nullptr;
}

}  // namespace

void to_qemu_commandline(xmlDoc* doc, const Domain& d) {
  xmlNode* root = xmlDocGetRootElement(doc);
  xmlNode* os = find_child(root, "os");
  if (os != nullptr) {
    for (xmlNode* c = os->children; c != nullptr;) {
      xmlNode* next = c->next;
      if (xml::is(c, "boot-certs")) remove(c);
      c = next;
    }
    if (xmlNode* fw = find_child(os, "firmware")) {
      for (xmlNode* f = fw->children; f != nullptr;) {
        xmlNode* next = f->next;
        if (xml::is(f, "feature") && xml::attr(f, "name") == std::optional<std::string>("secure-boot")) remove(f);
        f = next;
      }
      if (!has_element_children(fw)) remove(fw);
    }
  }
  xmlNode* cmdline = strip_qemu_machine_options(root);
  std::string machine;
  for (size_t i = 0; i < d.os.boot_certs.size(); ++i)
    machine += (i ? "," : "") + std::string("boot-certs.") + std::to_string(i) + ".path=" + escape_keyval(d.os.boot_certs[i]);
  if (d.os.secure_boot != Tristate::kAbsent)
    machine += std::string(machine.empty() ? "" : ",") + (d.os.secure_boot == Tristate::kYes ? "secure-boot=on" : "secure-boot=off");
  if (machine.empty()) return;
  xmlNs* ns = xmlSearchNsByHref(doc, root, u(kQemuNamespace));
  if (ns == nullptr) ns = xmlNewNs(root, u(kQemuNamespace), u("qemu"));
  if (cmdline == nullptr) {
    cmdline = xmlNewDocNode(doc, ns, u("commandline"), nullptr);
    append(root, cmdline);
  }
  for (const std::string& v : {std::string("-machine"), machine}) {
    xmlNode* arg = xmlNewDocNode(doc, ns, u("arg"), nullptr);
    xmlNewProp(arg, u("value"), u(v.c_str()));
    append(cmdline, arg);
  }
}

void from_qemu_commandline(xmlDoc* doc, const Domain& d) {
  if (!d.os.boot_certs_in_qemu_commandline && !d.os.secure_boot_in_qemu_commandline) return;
  xmlNode* root = xmlDocGetRootElement(doc);
  xmlNode* os = find_child(root, "os");
  if (os == nullptr) return;
  strip_qemu_machine_options(root);
  // Every path, in the order QEMU would number them, in one libvirt-form <boot-certs>.
  for (xmlNode* c = os->children; c != nullptr;) {
    xmlNode* next = c->next;
    if (xml::is(c, "boot-certs")) remove(c);
    c = next;
  }
  if (!d.os.boot_certs.empty()) {
    xmlNode* certs = xmlNewDocNode(doc, nullptr, u("boot-certs"), nullptr);
    append(os, certs);
    for (const auto& p : d.os.boot_certs) append(certs, xmlNewDocNode(doc, nullptr, u("path"), u(xml::escape_text(p).c_str())));
  }
  if (d.os.secure_boot_in_qemu_commandline) {
    xmlNode* fw = find_child(os, "firmware");
    if (fw == nullptr) {
      fw = xmlNewDocNode(doc, nullptr, u("firmware"), nullptr);
      append(os, fw);
    }
    for (xmlNode* f = fw->children; f != nullptr;) {
      xmlNode* next = f->next;
      if (xml::is(f, "feature") && xml::attr(f, "name") == std::optional<std::string>("secure-boot")) remove(f);
      f = next;
    }
    xmlNode* feature = xmlNewDocNode(doc, nullptr, u("feature"), nullptr);
    xmlNewProp(feature, u("enabled"), u(d.os.secure_boot == Tristate::kYes ? "yes" : "no"));
    xmlNewProp(feature, u("name"), u("secure-boot"));
    append(fw, feature);
  }
  // A root namespace declaration nothing uses any more is left: libvirt accepts it.
}

}  // namespace sipl::mgmt::forms

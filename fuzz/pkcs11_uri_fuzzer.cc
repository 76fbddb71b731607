// Fuzzes RFC 7512 URI parsing. Invariants: a parsed URI's redacted() and object_uri() never
// carry a pin-value attribute and parse again (the text "pin-value=" may still appear inside
// another attribute's value: RFC 7512 allows ':' and '=' there); object_uri() keeps every path attribute (same decoded
// values); without_pin() of the input equals redacted(); a failure is always kUsage and its
// message never carries the pin-value either.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sipl/crypto/pkcs11_uri.h"

namespace {

using namespace sipl;

void check(const std::string& in) {
  auto u = crypto::Pkcs11Uri::parse(in);
  if (!u) {
    if (u.error().code != ErrorCode::kUsage) std::abort();
    return;
  }
  auto redacted = crypto::Pkcs11Uri::parse(u->redacted());
  if (!redacted || redacted->pin_value()) std::abort();
  if (crypto::without_pin(in) != u->redacted()) std::abort();
  auto again = crypto::Pkcs11Uri::parse(u->object_uri());
  if (!again) std::abort();
  for (const char* name : {"token", "object", "id", "serial", "manufacturer", "model", "type", "slot-id"})
    if (again->path_attribute(name) != u->path_attribute(name)) std::abort();
  if (again->pin_value() || again->module_path() || again->pin_source()) std::abort();
  auto typed = crypto::Pkcs11Uri::parse(u->object_uri("private"));
  if (!typed || typed->path_attribute("type") != "private") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    check("pkcs11:token=sipl-test;object=signkey;type=private?pin-value=1234&module-path=/m.so");
    check("pkcs11:pin-value=secret;object=k");
  }
  check(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}

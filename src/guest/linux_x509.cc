// The kernel's X.509 parser, field by field in the order its ASN.1 decoder runs the actions of
// crypto/asymmetric_keys/x509.asn1 (Linux 6.1): x509_note_serial, x509_note_sig_algo,
// x509_note_issuer, x509_decode_time, x509_note_subject, x509_note_params /
// x509_extract_key_data, x509_process_extension (subjectKeyIdentifier, authorityKeyIdentifier),
// x509_note_signature, then the x509_akid.asn1 decode of the authority key identifier. The
// first refusal wins, with the errno the kernel returns for it.
#include "sipl/guest/linux_x509.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace sipl::guest {
namespace {

struct Tlv {
  uint8_t tag = 0;
  ByteSpan value;
};

// Reads one definite-length TLV from the front of `in`; nullopt when it is malformed or runs
// past the end (the kernel's decoder answers those with -EBADMSG).
std::optional<Tlv> next(ByteSpan& in) {
  if (in.size() < 2) return std::nullopt;
  const uint8_t tag = std::to_integer<uint8_t>(in[0]);
  if ((tag & 0x1f) == 0x1f) return std::nullopt;  // high tag numbers do not occur in X.509
  size_t pos = 2;
  uint64_t len = std::to_integer<uint8_t>(in[1]);
  if (len & 0x80) {
    const size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return std::nullopt;  // indefinite or absurd
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | std::to_integer<uint8_t>(in[2 + i]);
    pos += n;
  }
  if (len > in.size() - pos) return std::nullopt;
  Tlv t{tag, in.subspan(pos, static_cast<size_t>(len))};
  in = in.subspan(pos + static_cast<size_t>(len));
  return t;
}

std::optional<Tlv> next(ByteSpan& in, uint8_t tag) {
  ByteSpan probe = in;
  auto t = next(probe);
  if (!t || t->tag != tag) return std::nullopt;
  in = probe;
  return t;
}

std::optional<uint8_t> peek_tag(ByteSpan in) {
  if (in.empty()) return std::nullopt;
  return std::to_integer<uint8_t>(in[0]);
}

// Returns the dotted form of an OID's contents ("2.5.4.3"), or "" when malformed.
std::string oid_text(ByteSpan v) {
  if (v.empty()) return "";
  std::string out;
  uint64_t acc = 0;
  bool first = true;
  for (size_t i = 0; i < v.size(); ++i) {
    const uint8_t b = std::to_integer<uint8_t>(v[i]);
    if (acc > (UINT64_MAX >> 7)) return "";
    acc = (acc << 7) | (b & 0x7f);
    if (b & 0x80) {
      if (i + 1 == v.size()) return "";
      continue;
    }
    if (first) {
      const uint64_t a = acc < 40 ? 0 : acc < 80 ? 1 : 2;
      out = fmt::format("{}.{}", a, acc - 40 * a);
      first = false;
    } else {
      out += fmt::format(".{}", acc);
    }
    acc = 0;
  }
  return out;
}

Bytes copy(ByteSpan s) { return Bytes(s.begin(), s.end()); }

LinuxParse refuse(int errno_value, std::string reason) {
  LinuxParse p;
  p.error = -errno_value;
  p.reason = std::move(reason);
  return p;
}

// x509_note_sig_algo: hash and signature algorithm of the TBS signature OID.
bool signature_algorithm(const std::string& oid, LinuxCertificate& c) {
  struct Row {
    const char* oid;
    const char* hash;
    const char* pkey;
  };
  static constexpr Row rows[] = {
      {"1.2.840.113549.1.1.5", "sha1", "rsa"},       {"1.2.840.113549.1.1.11", "sha256", "rsa"},
      {"1.2.840.113549.1.1.12", "sha384", "rsa"},    {"1.2.840.113549.1.1.13", "sha512", "rsa"},
      {"1.2.840.113549.1.1.14", "sha224", "rsa"},    {"1.2.840.10045.4.1", "sha1", "ecdsa"},
      {"1.2.840.10045.4.3.1", "sha224", "ecdsa"},    {"1.2.840.10045.4.3.2", "sha256", "ecdsa"},
      {"1.2.840.10045.4.3.3", "sha384", "ecdsa"},    {"1.2.840.10045.4.3.4", "sha512", "ecdsa"},
      {"1.2.643.7.1.1.3.2", "streebog256", "ecrdsa"}, {"1.2.643.7.1.1.3.3", "streebog512", "ecrdsa"},
      {"1.2.156.10197.1.501", "sm3", "sm2"},
  };
  for (const auto& r : rows)
    if (oid == r.oid) {
      c.hash_algo = r.hash;
      c.sig_algo = r.pkey;
      return true;
    }
  return false;
}

// x509_extract_key_data: the key algorithm, for EC keys by the curve OID in the parameters.
// Returns 0 or the errno.
int key_algorithm(const std::string& oid, ByteSpan params, LinuxCertificate& c, std::string& reason) {
  if (oid == "1.2.840.113549.1.1.1") c.key_algo = "rsa";
  else if (oid == "1.2.643.7.1.1.1.1" || oid == "1.2.643.7.1.1.1.2") c.key_algo = "ecrdsa";
  else if (oid == "1.2.156.10197.1.301") c.key_algo = "sm2";
  else if (oid == "1.2.840.10045.2.1") {
    ByteSpan p = params;
    auto curve = next(p, 0x06);
    if (!curve) {
      reason = "the EC key's parameters are not a named curve";
      return kEbadmsg;
    }
    const std::string name = oid_text(curve->value);
    if (name == "1.2.156.10197.1.301") c.key_algo = "sm2";
    else if (name == "1.2.840.10045.3.1.1") c.key_algo = "ecdsa-nist-p192";
    else if (name == "1.2.840.10045.3.1.7") c.key_algo = "ecdsa-nist-p256";
    else if (name == "1.3.132.0.34") c.key_algo = "ecdsa-nist-p384";
    else {
      reason = fmt::format("Linux 6.1 does not know the EC curve {} (NIST P-521 came with 6.10)", name);
      return kEnopkg;
    }
  } else {
    reason = fmt::format("Linux does not know the key algorithm {}", oid);
    return kEnopkg;
  }
  return 0;
}

// x509_decode_time: UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ outside 1950-2049.
bool valid_time(const Tlv& t) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.value.data());
  const size_t n = t.value.size();
  auto two = [&](size_t i, unsigned& out) {
    if (p[i] < '0' || p[i] > '9' || p[i + 1] < '0' || p[i + 1] > '9') return false;
    out = (p[i] - '0') * 10u + (p[i + 1] - '0');
    return true;
  };
  unsigned year = 0, hi = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  size_t i = 0;
  if (t.tag == 0x17) {
    if (n != 13 || !two(0, year)) return false;
    year += year >= 50 ? 1900 : 2000;
    i = 2;
  } else if (t.tag == 0x18) {
    if (n != 15 || !two(0, hi) || !two(2, year)) return false;
    year += hi * 100;
    if (year >= 1950 && year <= 2049) return false;
    i = 4;
  } else {
    return false;
  }
  if (!two(i, mon) || !two(i + 2, day) || !two(i + 4, hour) || !two(i + 6, min) || !two(i + 8, sec) ||
      p[i + 10] != 'Z')
    return false;
  static constexpr unsigned kMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || mon < 1 || mon > 12) return false;
  unsigned mon_len = kMonth[mon - 1];
  if (mon == 2) mon_len = (year % 4 == 0 && (year % 100 != 0 || (year / 100) % 4 == 0)) ? 29 : 28;
  return day >= 1 && day <= mon_len && hour <= 23 && min <= 59 && sec <= 59;
}

// x509_extract_name_segment + x509_fabricate_name over one Name's contents.
std::optional<std::string> fabricate_name(ByteSpan name) {
  // The kernel keeps each segment's size in a u8 (x509_parse_context.cn_size etc.): a value
  // of 256 bytes or more counts modulo 256. The last CN, O and emailAddress win.
  std::optional<ByteSpan> cn, o, email;
  while (!name.empty()) {
    auto rdn = next(name, 0x31);
    if (!rdn) return std::nullopt;
    ByteSpan set = rdn->value;
    while (!set.empty()) {
      auto ava = next(set, 0x30);
      if (!ava) return std::nullopt;
      ByteSpan a = ava->value;
      auto type = next(a, 0x06);
      auto value = next(a);
      if (!type || !value) return std::nullopt;
      const std::string oid = oid_text(type->value);
      const ByteSpan v = value->value.first(value->value.size() & 0xff);
      if (oid == "2.5.4.3") cn = v;
      else if (oid == "2.5.4.10") o = v;
      else if (oid == "1.2.840.113549.1.9.1") email = v;
    }
  }
  auto str = [](ByteSpan s) { return std::string(reinterpret_cast<const char*>(s.data()), s.size()); };
  const bool has_cn = cn && !cn->empty(), has_o = o && !o->empty(), has_email = email && !email->empty();
  if (!has_cn && !has_o && !has_email) return std::string();
  if (has_cn && has_o) {
    // Use only the CN when it starts with the O, or with a significant part (7 bytes) of it.
    if (cn->size() >= o->size() && std::memcmp(cn->data(), o->data(), o->size()) == 0) return str(*cn);
    if (cn->size() >= 7 && o->size() >= 7 && std::memcmp(cn->data(), o->data(), 7) == 0) return str(*cn);
    return str(*o) + ": " + str(*cn);
  }
  if (has_cn) return str(*cn);
  if (has_o) return str(*o);
  return str(*email);
}

// x509_akid.asn1: keyIdentifier [0], authorityCertIssuer [1] { directoryName [4] }, serial [2].
bool decode_akid(ByteSpan raw, LinuxCertificate& c) {
  auto seq = next(raw, 0x30);
  if (!seq) return false;
  ByteSpan in = seq->value;
  while (!in.empty()) {
    auto t = next(in);
    if (!t) return false;
    if (t->tag == 0x80) {
      if (!c.akid_keyid) c.akid_keyid = copy(t->value);
    } else if (t->tag == 0xa1) {
      ByteSpan names = t->value;
      while (!names.empty()) {
        auto n = next(names);
        if (!n) return false;
        if (n->tag == 0xa4) {
          ByteSpan dn = n->value;
          auto name = next(dn, 0x30);
          if (!name) return false;
          c.akid_issuer = copy(name->value);
        }
      }
    } else if (t->tag == 0x82) {
      if (c.akid_issuer && !c.akid_serial) c.akid_serial = copy(t->value);
    } else {
      return false;
    }
  }
  return true;
}

bool same(const std::optional<Bytes>& a, const std::optional<Bytes>& b) { return a && b && *a == *b; }

}  // namespace

std::string LinuxCertificate::description() const {
  // The subject is a C string to the kernel: a NUL inside a name segment ends it.
  std::string out = subject.substr(0, subject.find('\0'));
  out += ": ";
  out += to_hex(raw_skid ? ByteSpan(*raw_skid) : ByteSpan(raw_serial));
  return out;
}

bool LinuxCertificate::self_issued() const {
  if (raw_subject != raw_issuer) return false;
  if (!akid_keyid && !akid_serial) return true;
  Bytes id = raw_serial, akid_id;
  id.insert(id.end(), raw_issuer.begin(), raw_issuer.end());
  std::optional<Bytes> auth0;
  if (akid_serial && akid_issuer) {
    akid_id = *akid_serial;
    akid_id.insert(akid_id.end(), akid_issuer->begin(), akid_issuer->end());
    auth0 = akid_id;
  }
  return same(raw_skid, akid_keyid) || same(std::optional<Bytes>(id), auth0);
}

bool LinuxCertificate::akid_half_matches() const {
  if (!self_issued() || !akid_keyid || !akid_serial || !akid_issuer) return false;
  Bytes id = raw_serial, akid_id = *akid_serial;
  id.insert(id.end(), raw_issuer.begin(), raw_issuer.end());
  akid_id.insert(akid_id.end(), akid_issuer->begin(), akid_issuer->end());
  return same(raw_skid, akid_keyid) != (id == akid_id);
}

LinuxParse parse_like_linux(ByteSpan der) {
  const std::string bad = "the DER encoding is malformed";
  ByteSpan top = der;
  auto cert = next(top, 0x30);
  if (!cert) return refuse(kEbadmsg, bad);
  ByteSpan c = cert->value;
  auto tbs = next(c, 0x30);
  auto outer_alg = tbs ? next(c, 0x30) : std::nullopt;
  auto sig = outer_alg ? next(c, 0x03) : std::nullopt;
  if (!sig) return refuse(kEbadmsg, bad);

  LinuxCertificate lc;
  ByteSpan t = tbs->value;
  if (peek_tag(t) == 0xa0 && !next(t)) return refuse(kEbadmsg, bad);
  auto serial = next(t, 0x02);
  if (!serial) return refuse(kEbadmsg, bad);
  lc.raw_serial = copy(serial->value);

  auto alg = next(t, 0x30);
  if (!alg) return refuse(kEbadmsg, bad);
  ByteSpan a = alg->value;
  auto alg_oid = next(a, 0x06);
  if (!alg_oid) return refuse(kEbadmsg, bad);
  const std::string sig_oid = oid_text(alg_oid->value);
  if (!signature_algorithm(sig_oid, lc))
    return refuse(kEnopkg, fmt::format("Linux does not know the signature algorithm {}", sig_oid));

  auto issuer = next(t, 0x30);
  if (!issuer) return refuse(kEbadmsg, bad);
  auto issuer_name = fabricate_name(issuer->value);
  if (!issuer_name) return refuse(kEbadmsg, bad);
  lc.issuer = *issuer_name;
  lc.raw_issuer = copy(issuer->value);

  auto validity = next(t, 0x30);
  if (!validity) return refuse(kEbadmsg, bad);
  ByteSpan v = validity->value;
  for (const char* which : {"notBefore", "notAfter"}) {
    auto time = next(v);
    if (!time || !valid_time(*time))
      return refuse(kEbadmsg, fmt::format("Linux cannot read the {} time (x509_decode_time)", which));
  }

  auto subject = next(t, 0x30);
  if (!subject) return refuse(kEbadmsg, bad);
  auto subject_name = fabricate_name(subject->value);
  if (!subject_name) return refuse(kEbadmsg, bad);
  lc.subject = *subject_name;
  lc.raw_subject = copy(subject->value);

  auto spki = next(t, 0x30);
  if (!spki) return refuse(kEbadmsg, bad);
  ByteSpan s = spki->value;
  auto key_alg = next(s, 0x30);
  auto key = key_alg ? next(s, 0x03) : std::nullopt;
  if (!key) return refuse(kEbadmsg, bad);
  ByteSpan ka = key_alg->value;
  auto key_oid = next(ka, 0x06);
  if (!key_oid) return refuse(kEbadmsg, bad);
  std::string reason;
  if (int e = key_algorithm(oid_text(key_oid->value), ka, lc, reason); e != 0) return refuse(e, reason);
  if (key->value.empty() || key->value[0] != std::byte{0})
    return refuse(kEbadmsg, "the public key BIT STRING has unused bits");

  std::optional<ByteSpan> raw_akid;
  while (!t.empty()) {
    auto opt = next(t);
    if (!opt) return refuse(kEbadmsg, bad);
    if (opt->tag != 0xa3) continue;  // issuerUniqueID [1], subjectUniqueID [2]
    ByteSpan exts_outer = opt->value;
    auto exts = next(exts_outer, 0x30);
    if (!exts) return refuse(kEbadmsg, bad);
    ByteSpan e = exts->value;
    while (!e.empty()) {
      auto ext = next(e, 0x30);
      if (!ext) return refuse(kEbadmsg, bad);
      ByteSpan x = ext->value;
      auto id = next(x, 0x06);
      if (!id) return refuse(kEbadmsg, bad);
      if (peek_tag(x) == 0x01 && !next(x)) return refuse(kEbadmsg, bad);  // critical
      auto value = next(x, 0x04);
      if (!value) return refuse(kEbadmsg, bad);
      const std::string ext_oid = oid_text(id->value);
      const ByteSpan val = value->value;
      if (ext_oid == "2.5.29.14") {
        // The kernel reads only a short-form OCTET STRING: 04 len <len bytes>.
        if (lc.raw_skid || val.size() < 3 || val[0] != std::byte{0x04} ||
            std::to_integer<size_t>(val[1]) != val.size() - 2)
          return refuse(kEbadmsg, "the subjectKeyIdentifier extension is malformed or repeated");
        lc.raw_skid = copy(val.subspan(2));
      } else if (ext_oid == "2.5.29.35") {
        raw_akid = val;
      }
    }
  }

  ByteSpan oa = outer_alg->value;
  auto outer_oid = next(oa, 0x06);
  if (!outer_oid || oid_text(outer_oid->value) != sig_oid)
    return refuse(kEinval, "signatureAlgorithm differs from tbsCertificate.signature");
  if (sig->value.empty() || sig->value[0] != std::byte{0})
    return refuse(kEbadmsg, "the signature BIT STRING has unused bits");
  if (raw_akid && !decode_akid(*raw_akid, lc))
    return refuse(kEbadmsg, "Couldn't decode AuthKeyIdentifier");
  LinuxParse p;
  p.cert = std::move(lc);
  return p;
}

}  // namespace sipl::guest

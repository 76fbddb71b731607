#include "crypto/signed_data.h"
#include "crypto/pem.h"

#include <algorithm>

#include <fmt/format.h>

#include "crypto/der.h"

namespace sipl::crypto {
namespace {

using der::Reader;
using der::Tlv;

// Collects the first grammar violation with its offset.
struct Parser {
  const std::string& what;
  std::optional<Error> err;

  bool bad(size_t offset, const std::string& msg) {
    if (!err) err = Error{ErrorCode::kBadInput, "not a DER PKCS#7 SignedData: " + msg, Location::at_offset(what, offset)};
    return false;
  }

  bool expect(Reader& r, uint8_t tag, const char* name, Tlv& out) {
    size_t at = r.offset();
    auto t = r.next(tag);
    if (!t) return bad(at, fmt::format("expected {} (tag 0x{:02x})", name, tag));
    out = *t;
    return true;
  }

  // An OPTIONAL field: absent when the next tag is not `tag` (`present` false, no error); when
  // the tag is there the TLV must read, or it is a grammar violation. Never dereference the
  // reader's result unread: a peeked tag says nothing about whether its length fits.
  bool optional(Reader& r, uint8_t tag, const char* name, Tlv& out, bool& present) {
    present = r.peek_tag() == tag;
    if (!present) return true;
    size_t at = r.offset();
    auto t = r.next();
    if (!t) return bad(at, fmt::format("malformed {} (tag 0x{:02x})", name, tag));
    out = *t;
    return true;
  }

  // libtasn1 does not validate OID contents while decoding; a malformed OID simply names no
  // known algorithm or type (and is harmless where GnuTLS never reads it, e.g. digestAlgorithms).
  bool oid(const Tlv& t, std::string& out) {
    auto s = der::oid_to_string(t.value);
    out = s ? *s : "malformed:" + to_hex(t.value);
    return true;
  }

  // Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }: libtasn1 decodes the issuer
  // by this schema, so a Name that does not fit makes the whole blob unreadable for GnuTLS.
  bool name(const Tlv& n) {
    Reader rdns = Reader::inside(n);
    while (!rdns.empty()) {
      Tlv rdn;
      if (!expect(rdns, der::kSet, "RelativeDistinguishedName", rdn)) return false;
      Reader atvs = Reader::inside(rdn);
      while (!atvs.empty()) {
        Tlv atv, type;
        if (!expect(atvs, der::kSequence, "AttributeTypeAndValue", atv)) return false;
        Reader ar = Reader::inside(atv);
        if (!expect(ar, der::kOid, "attribute type", type)) return false;
        size_t at = ar.offset();
        if (!ar.next()) return bad(at, "malformed attribute value in the issuer name");
        if (!ar.empty()) return bad(ar.offset(), "extra data in AttributeTypeAndValue");
      }
    }
    return true;
  }

  // AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }
  bool algorithm(Reader& r, const char* name, std::string& out_oid) {
    Tlv seq, o;
    if (!expect(r, der::kSequence, name, seq)) return false;
    Reader in = Reader::inside(seq);
    if (!expect(in, der::kOid, name, o) || !oid(o, out_oid)) return false;
    if (!in.empty() && !in.next()) return bad(in.offset(), fmt::format("malformed {} parameters", name));
    if (!in.empty()) return bad(in.offset(), fmt::format("extra data in {}", name));
    return true;
  }

  // Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY }
  bool attributes(const Tlv& set, std::vector<CmsAttribute>& out, Bytes* canonical = nullptr) {
    Reader r = Reader::inside(set);
    std::vector<Bytes> encoded;
    while (!r.empty()) {
      Tlv a, type, values;
      if (!expect(r, der::kSequence, "Attribute", a)) return false;
      Reader ar = Reader::inside(a);
      CmsAttribute attr;
      if (!expect(ar, der::kOid, "attribute type", type) || !oid(type, attr.type_oid)) return false;
      if (!expect(ar, der::kSet, "attribute values", values)) return false;
      if (!ar.empty()) return bad(ar.offset(), "extra data in Attribute");
      Reader vr = Reader::inside(values);
      std::vector<Bytes> vals;
      while (!vr.empty()) {
        size_t at = vr.offset();
        auto v = vr.next();
        if (!v) return bad(at, "malformed attribute value");
        if (!attr.first_value) attr.first_value = v->whole;
        vals.emplace_back(v->whole.begin(), v->whole.end());
      }
      if (canonical) {
        Bytes body, set_body;
        der::append_tlv(body, der::kOid, type.value);
        for (const auto& v : sorted(std::move(vals))) set_body.insert(set_body.end(), v.begin(), v.end());
        der::append_tlv(body, der::kSet, set_body);
        encoded.emplace_back();
        der::append_tlv(encoded.back(), der::kSequence, body);
      }
      out.push_back(std::move(attr));
    }
    if (canonical) {
      Bytes body;
      for (const auto& e : sorted(std::move(encoded))) body.insert(body.end(), e.begin(), e.end());
      der::append_tlv(*canonical, der::kSet, body);
    }
    return true;
  }

  // DER orders SET OF elements by their encodings.
  static std::vector<Bytes> sorted(std::vector<Bytes> v) {
    std::sort(v.begin(), v.end(), [](const Bytes& a, const Bytes& b) {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    });
    return v;
  }

  bool signer_info(const Tlv& si_tlv, CmsSignerInfo& si) {
    Reader r = Reader::inside(si_tlv);
    Tlv version, sig;
    if (!expect(r, der::kInteger, "SignerInfo version", version)) return false;
    auto sid_tag = r.peek_tag();
    if (sid_tag == der::kSequence) {
      Tlv ias, issuer, serial;
      if (!expect(r, der::kSequence, "issuerAndSerialNumber", ias)) return false;
      Reader ir = Reader::inside(ias);
      if (!expect(ir, der::kSequence, "issuer Name", issuer) || !name(issuer) ||
          !expect(ir, der::kInteger, "serialNumber", serial))
        return false;
      if (!ir.empty()) return bad(ir.offset(), "extra data in issuerAndSerialNumber");
      si.issuer_der = issuer.whole;
      si.serial = serial.value;
    } else if (sid_tag == der::context_primitive(0)) {
      Tlv kid;
      if (!expect(r, der::context_primitive(0), "subjectKeyIdentifier", kid)) return false;
      si.sid_is_key_id = true;
      si.key_id = kid.value;
    } else {
      return bad(r.offset(), "expected a signer identifier (issuerAndSerialNumber or subjectKeyIdentifier)");
    }
    if (!algorithm(r, "digestAlgorithm", si.digest_oid)) return false;
    Tlv attrs;
    bool has_attrs = false;
    if (!optional(r, der::context_constructed(0), "signedAttrs [0]", attrs, has_attrs)) return false;
    if (has_attrs) {
      si.signed_attrs_encoding = attrs.whole;
      if (!attributes(attrs, si.signed_attrs, &si.signed_attrs_der)) return false;
    }
    if (!algorithm(r, "signatureAlgorithm", si.signature_oid)) return false;
    if (!expect(r, der::kOctetString, "signature", sig)) return false;
    si.signature = sig.value;
    Tlv unsigned_attrs;
    bool has_unsigned = false;
    if (!optional(r, der::context_constructed(1), "unsignedAttrs [1]", unsigned_attrs, has_unsigned)) return false;
    if (has_unsigned) {
      std::vector<CmsAttribute> ignored;
      if (!attributes(unsigned_attrs, ignored)) return false;
    }
    if (!r.empty()) return bad(r.offset(), "extra data in SignerInfo");
    return true;
  }

  bool signed_data(const Tlv& sd_tlv, CmsSignedData& sd) {
    Reader r = Reader::inside(sd_tlv);
    Tlv version, digests, encap, ect, signers;
    if (!expect(r, der::kInteger, "SignedData version", version)) return false;
    if (!expect(r, der::kSet, "digestAlgorithms", digests)) return false;
    Reader dr = Reader::inside(digests);
    while (!dr.empty()) {
      std::string ignored;
      if (!algorithm(dr, "digestAlgorithms entry", ignored)) return false;
    }
    if (!expect(r, der::kSequence, "encapContentInfo", encap)) return false;
    Reader er = Reader::inside(encap);
    if (!expect(er, der::kOid, "eContentType", ect) || !oid(ect, sd.econtent_type_oid)) return false;
    sd.econtent_type_tlv = ect.whole;
    if (!er.empty()) {
      Tlv wrapper, content;
      if (!expect(er, der::context_constructed(0), "eContent", wrapper)) return false;
      Reader cr = Reader::inside(wrapper);
      // BER may split the content into a constructed OCTET STRING (tag 0x24).
      bool constructed = false;
      if (!optional(cr, der::kOctetString | 0x20, "constructed eContent OCTET STRING", content, constructed)) return false;
      if (!constructed && !expect(cr, der::kOctetString, "eContent OCTET STRING", content)) return false;
      if (!cr.empty()) return bad(cr.offset(), "extra data in eContent");
      sd.has_embedded_content = true;
    }
    if (!er.empty()) return bad(er.offset(), "extra data in encapContentInfo");
    for (uint8_t n : {0u, 1u}) {  // certificates [0], crls [1]: counted, not interpreted
      Tlv set;
      bool present = false;
      if (!optional(r, der::context_constructed(n), n == 0 ? "certificates [0]" : "crls [1]", set, present)) return false;
      if (!present) continue;
      Reader cr = Reader::inside(set);
      size_t count = 0;
      while (!cr.empty()) {
        size_t at = cr.offset();
        if (!cr.next()) return bad(at, n == 0 ? "malformed certificate" : "malformed CRL");
        ++count;
      }
      if (n == 0) sd.certificate_count = count;
    }
    if (!expect(r, der::kSet, "signerInfos", signers)) return false;
    if (!r.empty()) return bad(r.offset(), "extra data in SignedData");
    Reader sr = Reader::inside(signers);
    while (!sr.empty()) {
      Tlv si_tlv;
      if (!expect(sr, der::kSequence, "SignerInfo", si_tlv)) return false;
      CmsSignerInfo si;
      if (!signer_info(si_tlv, si)) return false;
      if (sd.signer_count++ == 0) sd.signer0 = std::move(si);
    }
    return true;
  }
};

}  // namespace

Result<CmsSignedData> parse_signed_data(ByteSpan data, const std::string& what) {
  Parser p{what, std::nullopt};
  Reader top(data);
  Tlv ci, type, wrapper, sd_tlv;
  CmsSignedData sd;
  if (data.empty()) return fail(ErrorCode::kBadInput, "not a DER PKCS#7 SignedData: empty", Location::at_offset(what, 0));
  if (looks_like_pem(data)) {
    Error e(ErrorCode::kBadInput,
            "PEM detected: this is PEM text, but a DER PKCS#7 signature is expected here (what sign-file -p writes)",
            Location(what));
    e.hint = "convert it: openssl pkcs7 -in FILE -inform PEM -outform DER -out FILE.p7s (for \"BEGIN CMS\": "
             "openssl cms -cmsout -in FILE -inform PEM -outform DER -out FILE.p7s)";
    return tl::unexpected(std::move(e));
  }
  bool ok = p.expect(top, der::kSequence, "ContentInfo SEQUENCE", ci);
  if (ok && !top.empty()) ok = p.bad(top.offset(), "trailing bytes after the ContentInfo");
  if (ok) {
    Reader r = Reader::inside(ci);
    std::string oid;
    ok = p.expect(r, der::kOid, "contentType", type) && p.oid(type, oid);
    if (ok && oid != kOidSignedData) ok = p.bad(type.offset, "content type " + oid + " is not signedData");
    ok = ok && p.expect(r, der::context_constructed(0), "[0] content", wrapper);
    if (ok && !r.empty()) ok = p.bad(r.offset(), "extra data in ContentInfo");
    if (ok) {
      Reader wr = Reader::inside(wrapper);
      ok = p.expect(wr, der::kSequence, "SignedData SEQUENCE", sd_tlv);
      if (ok && !wr.empty()) ok = p.bad(wr.offset(), "extra data after SignedData");
      ok = ok && p.signed_data(sd_tlv, sd);
    }
  }
  if (!ok) return tl::unexpected<Error>(*p.err);
  return sd;
}

}  // namespace sipl::crypto

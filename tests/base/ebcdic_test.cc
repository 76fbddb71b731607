#include "sipl/base/ebcdic.h"

#include <iconv.h>

#include <gtest/gtest.h>

namespace sipl {
namespace {

// Independent source: glibc's IBM037 converter. QEMU's table agrees with code page 037 on
// every printable ASCII character, which is all a file name in a VCE normally holds.
TEST(Ebcdic, PrintableAsciiMatchesGlibcIbm037) {
  iconv_t cd = iconv_open("IBM037", "ASCII");
  ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
  for (int c = 0x20; c < 0x7f; ++c) {
    char in = static_cast<char>(c);
    char out = 0;
    char* ip = &in;
    char* op = &out;
    size_t il = 1, ol = 1;
    ASSERT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
    Bytes e = ascii_to_ebcdic(std::string(1, in));
    EXPECT_EQ(std::to_integer<unsigned char>(e[0]), static_cast<unsigned char>(out)) << "char " << in;
    EXPECT_EQ(ebcdic_name_to_ascii(e), std::string(1, in)) << "round trip of " << in;
  }
  iconv_close(cd);
}

// QEMU's ebcdic2ascii is not the inverse of its ascii2ebcdic for a few characters; sipl keeps
// that table for fidelity but decodes certificate names with the exact inverse.
TEST(Ebcdic, QemuDecodeTableQuirks) {
  EXPECT_EQ(ebcdic_to_ascii(ascii_to_ebcdic("!")), "]");
  EXPECT_EQ(ebcdic_to_ascii(ascii_to_ebcdic("AZaz09 .-_")), "AZaz09 .-_");
  EXPECT_EQ(ebcdic_name_to_ascii(ascii_to_ebcdic("!")), "!");
}

TEST(Ebcdic, PaddedNameIsBlankFilledToWidth) {
  Bytes b = ebcdic_padded("ab.pem", 8);
  ASSERT_EQ(b.size(), 8u);
  const unsigned char want[] = {0x81, 0x82, 0x4b, 0x97, 0x85, 0x94, 0x40, 0x40};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(std::to_integer<unsigned char>(b[i]), want[i]) << i;
}

TEST(Ebcdic, PaddedNameIsTruncatedToWidth) {
  std::string longname(70, 'x');
  Bytes b = ebcdic_padded(longname, 64);
  ASSERT_EQ(b.size(), 64u);
  EXPECT_EQ(ebcdic_to_ascii(b), std::string(64, 'x'));
}

TEST(Ebcdic, NonAsciiBytesMapAsQemuDoes) {
  // QEMU maps most bytes >= 0x80 to 0x3F (EBCDIC SUB); these are its exceptions.
  EXPECT_EQ(std::to_integer<unsigned>(ascii_to_ebcdic("\x80")[0]), 0x3fu);
  EXPECT_EQ(std::to_integer<unsigned>(ascii_to_ebcdic("\xe1")[0]), 0x59u);
  EXPECT_EQ(std::to_integer<unsigned>(ascii_to_ebcdic("\xff")[0]), 0xffu);
  EXPECT_EQ(std::to_integer<unsigned>(ascii_to_ebcdic("\x7f")[0]), 0x07u);
}

}  // namespace
}  // namespace sipl

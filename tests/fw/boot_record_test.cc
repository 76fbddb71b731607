// The boot-record walk on the real zipl 2.16 corpus disks, checked field by field against the
// corpus's independent layout walk (*.layout.txt), and the signature bytes checked with the
// openssl CLI; raw and qcow2 (qemu-img) must walk identically.
#include "sipl/fw/boot_record.h"

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "support/test_data.h"
#include "support/run.h"

namespace sipl::fw {
namespace {

// One component line of a layout.txt, parsed with regexes from the text alone.
struct LayoutComponent {
  unsigned index = 0;
  std::string type;  // LOAD, SIGNATURE, EXECUTE
  uint64_t address = 0;
  uint64_t psw = 0;
  unsigned sig_format = 0;
  uint32_t sig_len = 0;
  uint64_t segtable = 0;
  size_t extent_count = 0;
  uint64_t loaded = 0;
  std::vector<BlockPointer> first_extents;
};

struct Layout {
  uint32_t version = 0;
  uint64_t program_table = 0;
  uint64_t component_table = 0;
  std::vector<LayoutComponent> components;
};

Layout parse_layout(const std::string& path) {
  Layout l;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  const std::regex mbr(R"(^MBR: magic=b'zIPL' version=(\d+) program_table_ptr=blk (\d+) size 512 blockct 0;)");
  const std::regex entry0(R"(^  entry\[0\] -> component table blk (\d+) )");
  const std::regex load(
      R"(^\s+\[(\d+)\] LOAD addr=0x([0-9a-f]+); segtable blk (\d+); (\d+) extents, (\d+) bytes loaded; first extents \[(.*)\]$)");
  const std::regex sig(
      R"(^\s+\[(\d+)\] SIGNATURE format=(\d+) len=(\d+) compdat=[0-9a-f]+; segtable blk (\d+); (\d+) extents, (\d+) bytes loaded; first extents \[(.*)\]$)");
  const std::regex exec(R"(^\s+\[(\d+)\] EXECUTE psw=([0-9a-f]+) )");
  const std::regex ext(R"(\((\d+), (\d+), (\d+)\))");
  auto extents = [&](const std::string& s) {
    std::vector<BlockPointer> v;
    for (std::sregex_iterator it(s.begin(), s.end(), ext), end; it != end; ++it)
      v.push_back({std::stoull((*it)[1]), static_cast<uint16_t>(std::stoul((*it)[2])),
                   static_cast<uint16_t>(std::stoul((*it)[3]))});
    return v;
  };
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, mbr)) {
      l.version = static_cast<uint32_t>(std::stoul(m[1]));
      l.program_table = std::stoull(m[2]);
    } else if (std::regex_search(line, m, entry0)) {
      l.component_table = std::stoull(m[1]);
    } else if (std::regex_search(line, m, load)) {
      LayoutComponent c;
      c.index = static_cast<unsigned>(std::stoul(m[1]));
      c.type = "LOAD";
      c.address = std::stoull(m[2], nullptr, 16);
      c.segtable = std::stoull(m[3]);
      c.extent_count = std::stoul(m[4]);
      c.loaded = std::stoull(m[5]);
      c.first_extents = extents(m[6]);
      l.components.push_back(c);
    } else if (std::regex_search(line, m, sig)) {
      LayoutComponent c;
      c.index = static_cast<unsigned>(std::stoul(m[1]));
      c.type = "SIGNATURE";
      c.sig_format = static_cast<unsigned>(std::stoul(m[2]));
      c.sig_len = static_cast<uint32_t>(std::stoul(m[3]));
      c.segtable = std::stoull(m[4]);
      c.extent_count = std::stoul(m[5]);
      c.loaded = std::stoull(m[6]);
      c.first_extents = extents(m[7]);
      l.components.push_back(c);
    } else if (std::regex_search(line, m, exec)) {
      LayoutComponent c;
      c.index = static_cast<unsigned>(std::stoul(m[1]));
      c.type = "EXECUTE";
      c.psw = std::stoull(m[2], nullptr, 16);
      l.components.push_back(c);
    }
  }
  return l;
}

Program walk(const std::string& image_path, BootMap* map_out = nullptr) {
  auto disk = image::DiskImage::open(image_path);
  EXPECT_TRUE(disk) << disk.error().to_string();
  if (!disk) return {};
  auto map = read_boot_map(*disk);
  EXPECT_TRUE(map) << map.error().to_string();
  if (!map) return {};
  auto prog = load_program(*disk, *map, 0);
  EXPECT_TRUE(prog) << prog.error().to_string();
  if (map_out) *map_out = *map;
  return prog ? *prog : Program{};
}

void expect_matches_layout(const std::string& name) {
  const Layout want = parse_layout(test::corpus_layout(name));
  ASSERT_GT(want.components.size(), 5u) << "layout parse failed";
  BootMap map;
  const Program got = walk(test::corpus_disk(name), &map);
  EXPECT_EQ(map.version, want.version);
  EXPECT_TRUE(map.warnings.empty());
  EXPECT_EQ(map.program_table_pointer.blockno, want.program_table);
  EXPECT_EQ(map.used_entries(), std::vector<unsigned>{0});
  EXPECT_EQ(got.component_table, want.component_table);
  EXPECT_EQ(got.header_type, 0);
  ASSERT_EQ(got.components.size(), want.components.size());
  uint64_t total = 0;
  for (size_t i = 0; i < want.components.size(); ++i) {
    const auto& w = want.components[i];
    const auto& c = got.components[i];
    SCOPED_TRACE(name + " entry " + std::to_string(w.index));
    EXPECT_EQ(c.index, w.index);
    if (w.type == "EXECUTE") {
      EXPECT_EQ(c.type, ComponentType::kExec);
      EXPECT_EQ(c.address, w.psw);
      continue;
    }
    EXPECT_EQ(c.type, w.type == "LOAD" ? ComponentType::kLoad : ComponentType::kSignature);
    if (w.type == "LOAD") {
      EXPECT_EQ(c.address, w.address);
    }
    EXPECT_EQ(c.segment_table, w.segtable);
    EXPECT_EQ(c.extents.size(), w.extent_count);
    EXPECT_EQ(c.length, w.loaded);
    EXPECT_EQ(c.bytes.size(), w.loaded);
    ASSERT_LE(w.first_extents.size(), c.extents.size());
    for (size_t e = 0; e < w.first_extents.size(); ++e) EXPECT_EQ(c.extents[e], w.first_extents[e]) << "extent " << e;
    if (w.type == "SIGNATURE") {
      ASSERT_TRUE(c.signature);
      EXPECT_EQ(c.signature->format, w.sig_format);
      EXPECT_EQ(c.signature->length, w.sig_len);
      EXPECT_EQ(c.signature->bytes.size(), w.sig_len);
    }
    total += c.length;
  }
  EXPECT_EQ(got.loaded_bytes, total);
}

TEST(BootRecordCorpus, DiskAUnsignedMatchesLayout) { expect_matches_layout("disk-a-unsigned"); }
TEST(BootRecordCorpus, DiskBSecureMatchesLayout) { expect_matches_layout("disk-b-secure"); }

TEST(BootRecordCorpus, ParmlineComponentHoldsZiplsParmline) {
  const Program p = walk(test::corpus_disk("disk-a-unsigned"));
  ASSERT_EQ(p.components.size(), 8u);
  const auto& parm = p.components[5];
  EXPECT_EQ(parm.address, 0x4e5000u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(parm.bytes.to_bytes().value().data())), "console=ttysclp0 rdinit=/init");
}

// The PKCS#7 of each SIGNATURE entry verifies (openssl cms) over the next LOAD's bytes for the
// block-multiple stage 3 and kernel, and not over the block-padded initrd (spec README).
TEST(BootRecordCorpus, SignaturesVerifyWithOpensslOverTheLoadedBytes) {
  const Program p = walk(test::corpus_disk("disk-b-secure"));
  ASSERT_EQ(p.components.size(), 11u);
  test::TempDir dir;
  const std::string cert = test::corpus_cert("rsa2048.pem");
  auto verify = [&](size_t sig_entry) {
    const auto& sig = p.components[sig_entry];
    const auto& comp = p.components[sig_entry + 1];
    test::write_text(dir / "sig.der", to_string(sig.signature->bytes));
    test::write_text(dir / "comp.bin", to_string(comp.bytes.to_bytes().value()));
    return test::sh("openssl cms -verify -binary -inform DER -in '" + (dir / "sig.der") + "' -content '" +
                    (dir / "comp.bin") + "' -certfile '" + cert + "' -nointern -noverify -purpose any -out /dev/null")
        .exit_code;
  };
  EXPECT_EQ(verify(2), 0) << "stage 3";
  EXPECT_EQ(verify(5), 0) << "kernel";
  EXPECT_NE(verify(8), 0) << "initrd: 802584 signed bytes, 802816 loaded";
}

TEST(BootRecordCorpus, Qcow2WalksExactlyAsRaw) {
  const std::string raw = test::corpus_disk("disk-b-secure");
  const std::string q = test::corpus_scratch_dir() + "/disk-b-walk.qcow2";
  ASSERT_EQ(test::sh("qemu-img convert -c -f raw -O qcow2 '" + raw + "' '" + q + "'").exit_code, 0);
  const Program a = walk(raw);
  const Program b = walk(q);
  ASSERT_EQ(a.components.size(), b.components.size());
  for (size_t i = 0; i < a.components.size(); ++i) {
    EXPECT_EQ(a.components[i].extents, b.components[i].extents);
    EXPECT_TRUE(a.components[i].bytes.to_bytes().value() == b.components[i].bytes.to_bytes().value()) << "entry " << i;
  }
}

}  // namespace
}  // namespace sipl::fw

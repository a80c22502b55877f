// A checkpoint file's manifest (ssi/wire/src/checkpoint.cpp): what thaw
// trusts before it restores anything.
#include <gtest/gtest.h>

#include <string>

#include "atoll/wire/checkpoint.hpp"
#include "atoll/wire/names.hpp"

namespace {

using namespace atl::wire;

const std::string digest_a(64, 'a');
const std::string digest_b(64, 'b');

CheckpointManifest sample() {
    return {"c", "p1", 2048, "/home/counter.sh --fast", {{"core-1.img", 900, digest_a}, {"pages-1.img", 4096, digest_b}}};
}

TEST(ImageName, PlainFileNamesOnly) {
    EXPECT_TRUE(valid_image_name("pages-1.img"));
    EXPECT_TRUE(valid_image_name("dump.log"));
    for (const char* bad : {"", ".", "..", "../x", "a/b", "-x", "a b", ".hidden"})
        EXPECT_FALSE(valid_image_name(bad)) << bad;
    EXPECT_FALSE(valid_image_name(std::string(256, 'x')));
}

TEST(CheckpointManifest, RoundTripsWithItsImages) {
    const auto m = sample();
    std::string why;
    const auto back = parse_checkpoint_manifest(format_checkpoint_manifest(m), why);
    ASSERT_TRUE(back) << why;
    EXPECT_EQ(*back, m);
}

// Version 2: a workload's own address, and the PID whose lock table its
// network namespace holds.
TEST(CheckpointManifest, RoundTripsAnAddress) {
    auto m = sample();
    m.address = "10.77.0.100";
    m.lock = 117;
    std::string why;
    const auto text = format_checkpoint_manifest(m);
    EXPECT_TRUE(text.starts_with("atoll-checkpoint 2\n"));
    const auto back = parse_checkpoint_manifest(text, why);
    ASSERT_TRUE(back) << why;
    EXPECT_EQ(*back, m);
}

// Files written before version 2 still thaw.
TEST(CheckpointManifest, ReadsVersionOne) {
    std::string why;
    const auto m = parse_checkpoint_manifest(
        "atoll-checkpoint 1\nname n\nfrom p2\nrss_kib 1\ncommand x\nfile 3 " + digest_a + " x.img\nend\n", why);
    ASSERT_TRUE(m) << why;
    EXPECT_TRUE(m->address.empty());
}

TEST(CheckpointManifest, SkipsUnknownKeysBeforeItsEnd) {
    std::string why;
    EXPECT_TRUE(parse_checkpoint_manifest(
        "atoll-checkpoint 1\nnew thing\ncommand x\nfrom p2\nname n\nrss_kib 1\nfile 3 " + digest_a + " x.img\nend\n",
        why))
        << why;
}

TEST(CheckpointManifest, RefusesEveryCutOfAWholeOne) {
    // A file cut anywhere before the end line's newline is refused: the
    // manifest is the tar's last member, so this is what a truncated
    // checkpoint that tar still unpacks looks like.
    const std::string whole = format_checkpoint_manifest(sample());
    for (std::size_t n = 0; n < whole.size(); ++n) {
        std::string why;
        EXPECT_FALSE(parse_checkpoint_manifest(whole.substr(0, n), why)) << n;
        EXPECT_FALSE(why.empty());
    }
}

TEST(CheckpointManifest, RefusesBrokenOnesSayingWhy) {
    const std::string f = "file 3 " + digest_a + " x.img\n";
    const std::pair<std::string, const char*> bad[] = {
        {"", "not an atoll checkpoint"},
        {"atoll-checkpoint 3\nname n\n", "another version"},
        {"atoll-checkpoint 2\nname n\nfrom p1\nrss_kib 1\ncommand x\naddress 10.77.0.100\n" + f + "end\n",
         "address"},
        {"atoll-checkpoint 2\nname n\nfrom p1\nrss_kib 1\ncommand x\naddress 10.77.0\nlock 7\n" + f + "end\n",
         "address"},
        {"atoll-checkpoint 2\nname n\nfrom p1\nrss_kib 1\ncommand x\naddress 10.77.0.100\nlock 0\n" + f + "end\n",
         "not a PID"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\n" + f + "end\n", "lacks"},
        {"atoll-checkpoint 1\nname n\nname m\nfrom p1\nrss_kib 1\ncommand x\n" + f + "end\n", "repeats 'name'"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib lots\ncommand x\n" + f + "end\n", "not a number"},
        {"atoll-checkpoint 1\nname ../n\nfrom p1\nrss_kib 1\ncommand x\n" + f + "end\n", "not valid"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\nend\n", "no image"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\n" + f + f + "end\n", "twice"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\nfile 3 abc x.img\nend\n", "not valid"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\nfile 3 " + digest_a + " ../x\nend\n",
         "not valid"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\nfile 3 " + digest_a + " atoll-workload\nend\n",
         "not valid"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\n" + f + "end\nmore\n", "after its end"},
        {"atoll-checkpoint 1\nname n\nfrom p1\nrss_kib 1\ncommand x\n" + f, "cut short"},
    };
    for (const auto& [text, says] : bad) {
        std::string why;
        EXPECT_FALSE(parse_checkpoint_manifest(text, why)) << text;
        EXPECT_NE(why.find(says), std::string::npos) << why;
    }
}

TEST(CheckpointImages, TheSameFilesAreWhole) {
    const auto m = sample();
    EXPECT_FALSE(compare_checkpoint_images(m.images, {m.images[1], m.images[0]}));
}

TEST(CheckpointImages, NamesTheFirstDifference) {
    const auto l = sample().images;
    auto shorter = l;
    shorter[1].size = 1024;
    auto changed = l;
    changed[0].sha256 = digest_b;
    auto extra = l;
    extra.push_back({"evil.img", 1, digest_a});
    const std::pair<std::vector<CheckpointImage>, const char*> cases[] = {
        {{l[0]}, "pages-1.img is missing"},
        {shorter, "pages-1.img: 1024 bytes, the manifest says 4096"},
        {changed, "core-1.img: its SHA-256 differs"},
        {extra, "evil.img is not in the manifest"},
    };
    for (const auto& [found, says] : cases) {
        const auto why = compare_checkpoint_images(l, found);
        ASSERT_TRUE(why);
        EXPECT_NE(why->find(says), std::string::npos) << *why;
    }
}

}  // namespace

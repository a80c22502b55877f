// A checkpoint file's manifest (checkpoint.hpp).
#include "atoll/wire/checkpoint.hpp"

#include <algorithm>
#include <charconv>

#include "atoll/wire/names.hpp"
#include "atoll/wire/workload_record.hpp"

namespace atl::wire {
namespace {

constexpr std::string_view header = "atoll-checkpoint 2";
constexpr std::string_view header_v1 = "atoll-checkpoint 1";

bool number(std::string_view w, std::uint64_t& out) {
    if (w.empty())
        return false;
    const auto r = std::from_chars(w.data(), w.data() + w.size(), out);
    return r.ec == std::errc() && r.ptr == w.data() + w.size();
}

bool sha256_hex(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// "SIZE SHA256 NAME" of a `file` line.
std::optional<CheckpointImage> image_line(std::string_view v) {
    const auto sp1 = v.find(' ');
    if (sp1 == std::string_view::npos)
        return std::nullopt;
    const auto sp2 = v.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos)
        return std::nullopt;
    CheckpointImage i;
    i.sha256 = std::string(v.substr(sp1 + 1, sp2 - sp1 - 1));
    i.name = std::string(v.substr(sp2 + 1));
    if (!number(v.substr(0, sp1), i.size) || !sha256_hex(i.sha256) || !valid_image_name(i.name) ||
        i.name == checkpoint_manifest_file)
        return std::nullopt;
    return i;
}

}  // namespace

std::string format_checkpoint_manifest(const CheckpointManifest& m) {
    std::string s = std::string(header) + "\nname " + m.name + "\nfrom " + m.from + "\nrss_kib " +
                    std::to_string(m.rss_kib) + "\ncommand " + m.command + "\n";
    if (!m.address.empty())
        s += "address " + m.address + "\nlock " + std::to_string(m.lock) + "\n";
    for (const auto& i : m.images)
        s += "file " + std::to_string(i.size) + " " + i.sha256 + " " + i.name + "\n";
    return s + "end\n";
}

std::optional<CheckpointManifest> parse_checkpoint_manifest(std::string_view text, std::string& why) {
    const auto fail = [&](std::string w) -> std::optional<CheckpointManifest> {
        why = std::move(w);
        return std::nullopt;
    };
    auto nl = text.find('\n');
    if (text.substr(0, nl) != header && text.substr(0, nl) != header_v1)
        return fail(text.starts_with("atoll-checkpoint ")
                        ? "a checkpoint of another version (this atoll reads versions 1 and 2)"
                        : "not an atoll checkpoint (no manifest header)");
    CheckpointManifest m;
    constexpr int key_count = 6;
    bool seen[key_count] = {};
    bool ended = false;
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!text.empty()) {
        nl = text.find('\n');
        if (nl == std::string_view::npos)
            return fail("the manifest is cut short (its last line has no end)");
        const auto line = text.substr(0, nl);
        text = text.substr(nl + 1);
        if (ended)
            return fail("the manifest goes on after its end");
        if (line == "end") {
            ended = true;
            continue;
        }
        const auto sp = line.find(' ');
        const auto key = line.substr(0, sp);
        const auto value = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
        if (key == "file") {
            auto i = image_line(value);
            if (!i)
                return fail("the manifest's image line '" + std::string(line.substr(0, 120)) + "' is not valid");
            if (std::any_of(m.images.begin(), m.images.end(), [&](const auto& o) { return o.name == i->name; }))
                return fail("the manifest lists " + i->name + " twice");
            m.images.push_back(std::move(*i));
            continue;
        }
        const char* const keys[key_count] = {"name", "from", "rss_kib", "command", "address", "lock"};
        int k = 0;
        while (k < key_count && key != keys[k])
            ++k;
        if (k == key_count)
            continue;
        if (seen[k])
            return fail("the manifest repeats '" + std::string(key) + "'");
        seen[k] = true;
        if (k == 0)
            m.name = std::string(value);
        else if (k == 1)
            m.from = std::string(value);
        else if (k == 2 && !number(value, m.rss_kib))
            return fail("the manifest's rss_kib is not a number");
        else if (k == 3)
            m.command = std::string(value);
        else if (k == 4)
            m.address = std::string(value);
        else if (k == 5 && (!number(value, m.lock) || m.lock == 0 || m.lock > 0x3fffffff))
            return fail("the manifest's lock is not a PID");
    }
    if (!ended)
        return fail("the manifest is cut short (no end line)");
    if (!seen[0] || !seen[1] || !seen[2] || !seen[3])
        return fail("the manifest lacks name, from, rss_kib or command");
    if (!valid_workload_name(m.name) || m.from.empty() || m.command.empty())
        return fail("the manifest's name, node or command is not valid");
    if (m.images.empty())
        return fail("the manifest lists no image");
    if (seen[4] != seen[5] || (seen[4] && !valid_ipv4(m.address)))
        return fail("the manifest's address is not an IPv4 address with the PID of its lock");
    return m;
}

std::optional<std::string> compare_checkpoint_images(const std::vector<CheckpointImage>& listed,
                                                     const std::vector<CheckpointImage>& found) {
    for (const auto& l : listed) {
        const auto f = std::find_if(found.begin(), found.end(), [&](const auto& x) { return x.name == l.name; });
        if (f == found.end())
            return l.name + " is missing";
        if (f->size != l.size)
            return l.name + ": " + std::to_string(f->size) + " bytes, the manifest says " + std::to_string(l.size);
        if (f->sha256 != l.sha256)
            return l.name + ": its SHA-256 differs from the manifest's";
    }
    for (const auto& f : found)
        if (std::none_of(listed.begin(), listed.end(), [&](const auto& l) { return l.name == f.name; }))
            return f.name + " is not in the manifest";
    return std::nullopt;
}

}  // namespace atl::wire

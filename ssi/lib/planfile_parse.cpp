// Reading the plan file; the grammar is in planfile.hpp.
#include <fstream>
#include <sstream>
#include <vector>

#include "atoll/ssi/planfile.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

PlanFileError::PlanFileError(const std::string& source, int line, const std::string& message)
    : Failure(source + ":" + std::to_string(line) + ": " + message), line_(line) {}

namespace {

// One line's tokens: blank-separated words, with every ',' a token of its own.
std::vector<std::string> tokenize(std::string_view line) {
    std::vector<std::string> tokens;
    std::string word;
    const auto flush = [&] {
        if (!word.empty())
            tokens.push_back(std::move(word));
        word.clear();
    };
    for (const char c : line) {
        if (c == '#')
            break;
        if (c == ' ' || c == '\t' || c == '\r') {
            flush();
        } else if (c == ',') {
            flush();
            tokens.emplace_back(",");
        } else {
            word += c;
        }
    }
    flush();
    return tokens;
}

class LineParser {
public:
    LineParser(const std::string& source, int line, std::vector<std::string> tokens)
        : source_(source), line_(line), tokens_(std::move(tokens)) {}

    [[noreturn]] void fail(const std::string& expected) const {
        const std::string found = at_end() ? "the end of the line" : "'" + tokens_[next_] + "'";
        throw PlanFileError(source_, line_, "expected " + expected + ", found " + found);
    }
    [[noreturn]] void refuse(const std::string& message) const {
        throw PlanFileError(source_, line_, message);
    }

    [[nodiscard]] bool at_end() const { return next_ >= tokens_.size(); }
    [[nodiscard]] const std::string& peek() const { return tokens_[next_]; }
    std::string take() { return tokens_[next_++]; }

    void keyword(const char* word, const std::string& after) {
        if (at_end() || peek() != word)
            fail(std::string("'") + word + "' after " + after);
        ++next_;
    }
    bool comma() {
        if (at_end() || peek() != ",")
            return false;
        ++next_;
        return true;
    }
    std::uint64_t number(const std::string& what) {
        if (at_end())
            fail(what);
        const auto v = parse_number(peek());
        if (!v)
            fail(what);
        ++next_;
        return *v;
    }
    std::uint32_t small_number(const std::string& what) {
        const auto v = number(what);
        if (v > UINT32_MAX)
            refuse(what + " " + std::to_string(v) + " is too large");
        return static_cast<std::uint32_t>(v);
    }
    PhysRange range(const std::string& what) {
        const auto start = number("the start address of " + what + " (like 0x40000000)");
        if (at_end())
            fail("the size of " + what + " (like 512M)");
        const auto size = parse_size(peek());
        if (!size)
            fail("the size of " + what + " (like 512M)");
        ++next_;
        if (*size > UINT64_MAX - start)
            refuse(what + " at " + format_hex(start) + " of size " + format_size(*size) +
                   " passes the end of the address space");
        return PhysRange{PhysAddr{start}, PhysAddr{start + *size}};
    }
    void end() {
        if (!at_end())
            fail("the end of the line");
    }

private:
    const std::string& source_;
    int line_;
    std::vector<std::string> tokens_;
    std::size_t next_ = 0;
};

void parse_cpus(LineParser& p, nk::Partition& part, const std::string& who) {
    do {
        if (p.at_end())
            p.fail("an APIC ID after 'cpus'");
        const std::string item = p.take();
        const auto dash = item.find('-');
        const auto lo = parse_number(item.substr(0, dash));
        const auto hi = dash == std::string::npos ? lo : parse_number(item.substr(dash + 1));
        if (!lo || !hi || *hi < *lo || *hi > UINT32_MAX)
            p.refuse("expected an APIC ID or a range like 2-3 in the cpus of " + who + ", found '" +
                     item + "'");
        for (auto a = *lo; a <= *hi; ++a)
            if (!part.add_cpu(ApicId{static_cast<std::uint32_t>(a)}))
                p.refuse(who + " lists more than " + std::to_string(nk::max_partition_cpus) + " CPUs");
    } while (p.comma());
}

void parse_partition(LineParser& p, nk::Plan& plan) {
    const auto id = p.small_number("a partition id (1 to 15) after 'partition'");
    const std::string who = "partition " + std::to_string(id);
    p.keyword("node", "'" + who + "'");
    const auto node = p.small_number("a NUMA node number after 'node'");
    auto made = plan.add_partition(PartitionId{id}, NodeId{node});
    if (!made)
        p.refuse("more than " + std::to_string(nk::max_partitions) + " partitions");
    nk::Partition& part = **made;
    p.keyword("cpus", "the node of " + who);
    parse_cpus(p, part, who);
    p.keyword("memory", "the cpus of " + who);
    do {
        if (!part.add_memory(p.range("a memory range of " + who)))
            p.refuse(who + " lists more than " + std::to_string(nk::max_partition_ranges) +
                     " memory ranges");
    } while (p.comma());
    p.end();
}

}  // namespace

nk::Plan parse_plan(std::string_view text, const std::string& source) {
    nk::Plan plan;
    int lagoon_line = 0;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        LineParser p(source, line_no, tokenize(text.substr(0, nl)));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (p.at_end())
            continue;
        const std::string word = p.take();
        if (word == "lagoon") {
            if (lagoon_line != 0)
                p.refuse("a second lagoon (the first is on line " + std::to_string(lagoon_line) + ")");
            plan.lagoon = p.range("the lagoon");
            lagoon_line = line_no;
            p.end();
        } else if (word == "pool") {
            if (!plan.add_pool(p.range("a pool range")))
                p.refuse("more than " + std::to_string(nk::max_pool_ranges) + " pool ranges");
            p.end();
        } else if (word == "partition") {
            parse_partition(p, plan);
        } else {
            throw PlanFileError(source, line_no,
                                "expected 'lagoon', 'pool' or 'partition', found '" + word + "'");
        }
    }
    if (lagoon_line == 0)
        throw PlanFileError(source, line_no, "the plan has no 'lagoon' line");
    return plan;
}

nk::Plan read_plan_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        throw Failure("cannot read the plan file " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return parse_plan(s.str(), path.string());
}

}  // namespace atl::ssi

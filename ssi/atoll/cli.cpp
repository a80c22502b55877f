// Argument reading shared by the subcommands.
#include "cli.hpp"

#include <algorithm>

#include "atoll/ssi/size.hpp"

namespace atl::cli {

bool ArgReader::flag(std::string_view name) {
    if (done() || args_[next_] != name)
        return false;
    ++next_;
    return true;
}

std::optional<std::string> ArgReader::option(std::string_view name) {
    if (done())
        return std::nullopt;
    const std::string_view a = args_[next_];
    if (a == name) {
        if (next_ + 1 >= args_.size())
            throw UsageError("option " + std::string(name) + " needs a value");
        next_ += 2;
        return std::string(args_[next_ - 1]);
    }
    if (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=') {
        ++next_;
        return std::string(a.substr(name.size() + 1));
    }
    return std::nullopt;
}

void ArgReader::unknown() const {
    const std::string_view a = args_[next_];
    if (a.starts_with("-"))
        throw UsageError("unknown option '" + std::string(a) + "'");
    throw UsageError("unexpected argument '" + std::string(a) + "'");
}

std::uint64_t size_argument(std::string_view option, const std::string& value) {
    const auto v = ssi::parse_size(value);
    if (!v)
        throw UsageError("option " + std::string(option) + " wants a size like 512M or 2G, not '" +
                         value + "'");
    return *v;
}

std::uint32_t count_argument(std::string_view option, const std::string& value) {
    const auto v = ssi::parse_number(value);
    if (!v || *v > 1000)
        throw UsageError("option " + std::string(option) + " wants a number, not '" + value + "'");
    return static_cast<std::uint32_t>(*v);
}

std::vector<std::string> node_list(const std::string& list) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at <= list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        if (comma == at)
            throw UsageError("empty node name in '" + list + "'");
        out.push_back(list.substr(at, comma - at));
        at = comma + 1;
    }
    return out;
}

}  // namespace atl::cli

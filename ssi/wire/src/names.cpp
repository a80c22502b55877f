// Names that cross a boundary (names.hpp).
#include "atoll/wire/names.hpp"

#include <cstddef>

namespace atl::wire {
namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

bool plain_name(std::string_view name, std::size_t most) {
    if (name.empty() || name.size() > most || name[0] == '.' || name[0] == '-')
        return false;
    for (const char c : name)
        if (!name_char(c))
            return false;
    return true;
}

}  // namespace

bool valid_workload_name(std::string_view name) { return plain_name(name, 32); }
bool valid_image_name(std::string_view name) { return plain_name(name, 255); }

}  // namespace atl::wire

// Names that cross a node or a file boundary and become paths on the other
// side: a workload's name (a directory and a cgroup on every node) and the
// name of an image inside a checkpoint file.
#pragma once

#include <string_view>

namespace atl::wire {

// 1 to 32 of [A-Za-z0-9_.-], not starting with '.' or '-'.
[[nodiscard]] bool valid_workload_name(std::string_view name);

// 1 to 255 of [A-Za-z0-9_.-], not starting with '.' or '-': a plain file
// name, never a path, never "." or "..".
[[nodiscard]] bool valid_image_name(std::string_view name);

}  // namespace atl::wire

// The hosted side's error: a message meant for a person. Library code
// throws it; the `atoll` command catches it, prints it and exits 1.
#pragma once

#include <stdexcept>
#include <string>

namespace atl::ssi {

class Failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace atl::ssi

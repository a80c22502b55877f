// Boost.Asio for the daemon. Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility> (GCC 12, C++20): include it first.
#pragma once

#include <utility>

#include <boost/asio.hpp>

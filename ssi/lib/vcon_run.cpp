// `atoll run`'s markers and exchange (see atoll/ssi/vcon_session.hpp).
#include <random>
#include <thread>

#include "atoll/ssi/vcon_session.hpp"

namespace atl::ssi {

RunMarkers::RunMarkers(std::string nonce) : nonce_(std::move(nonce)) {}

std::string RunMarkers::command_line(std::string_view cmd) const {
    // One line, so the shell's echo of it comes before the begin marker's
    // output. '&' ends a command as ';' does, and '&;' is a syntax error:
    // after a command that ends in '&' the end marker follows a blank.
    std::string_view trimmed = cmd;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
        trimmed.remove_suffix(1);
    const bool background = trimmed.ends_with('&') && !trimmed.ends_with("&&");
    // Leading space: kept out of shell history where the shell supports it.
    return " echo @@B$((1+1))-" + nonce_ + "@@; " + std::string(trimmed) +
           (background ? " " : "; ") + "echo \"@@E$((1+1))-" + nonce_ + " $?@@\"\n";
}

bool RunMarkers::feed(std::string_view text) {
    if (finished_)
        return true;
    seen_.append(text);
    if (!begun_) {
        const std::string begin = "@@B2-" + nonce_ + "@@";
        const auto at = seen_.find(begin);
        if (at == std::string::npos) {
            // Keep only a tail that could still hold the start of a marker.
            if (seen_.size() > begin.size())
                seen_.erase(0, seen_.size() - begin.size());
            return false;
        }
        std::size_t from = at + begin.size();
        seen_.erase(0, from);
        begun_ = true;
    }
    // The begin echo's own line end may arrive in a later chunk.
    if (!eol_skipped_) {
        if (seen_.empty() || seen_ == "\r")
            return false;
        if (seen_.starts_with("\r\n"))
            seen_.erase(0, 2);
        else if (seen_.starts_with("\n"))
            seen_.erase(0, 1);
        eol_skipped_ = true;
    }
    body_ += seen_;
    seen_.clear();
    const std::string end = "@@E2-" + nonce_ + " ";
    for (std::size_t at = body_.find(end); at != std::string::npos; at = body_.find(end, at + 1)) {
        std::size_t p = at + end.size();
        int status = 0;
        std::size_t digits = 0;
        while (p < body_.size() && body_[p] >= '0' && body_[p] <= '9' && digits < 4) {
            status = status * 10 + (body_[p] - '0');
            ++p;
            ++digits;
        }
        if (p + 2 > body_.size())
            return false;   // the rest of the marker is still to come
        if (digits > 0 && body_.compare(p, 2, "@@") == 0) {
            status_ = status;
            body_.resize(at);
            finished_ = true;
            return true;
        }
    }
    return false;
}

std::string RunMarkers::output() const {
    std::string out;
    out.reserve(body_.size());
    for (std::size_t i = 0; i < body_.size(); ++i) {
        if (body_[i] == '\r' && i + 1 < body_.size() && body_[i + 1] == '\n')
            continue;
        out += body_[i];
    }
    return out;
}

std::string make_nonce() {
    std::random_device rd;
    const std::uint64_t v = (std::uint64_t{rd()} << 32) ^ rd();
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 12; ++i)
        s += hex[(v >> (4 * i)) & 0xf];
    return s;
}

RunResult run_on_console(std::span<std::byte> area, PartitionId id, std::string_view cmd,
                         std::chrono::milliseconds timeout, const std::string& nonce) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    constexpr auto tick = std::chrono::milliseconds(10);
    ConsoleFollower follower(area, id);
    ConsoleTyper typer(area, id);
    RunMarkers markers(nonce);
    RunResult result;

    // A shell must be reading the tty, or the line would sit in the ring.
    while (!(follower.attach() && follower.input_ready())) {
        if (clock::now() >= deadline)
            return result;
        std::this_thread::sleep_for(tick);
    }
    follower.skip_to_head();
    std::string line = markers.command_line(cmd);
    std::string_view left = line;
    while (!markers.finished()) {
        if (!left.empty())
            left.remove_prefix(typer.type(left));
        markers.feed(follower.poll());
        if (markers.finished())
            break;
        if (clock::now() >= deadline) {
            result.output = markers.output();
            return result;
        }
        std::this_thread::sleep_for(tick);
    }
    result.finished = true;
    result.status = markers.status();
    result.output = markers.output();
    return result;
}

}  // namespace atl::ssi

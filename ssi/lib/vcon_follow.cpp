// Following a console's output (see atoll/ssi/vcon_session.hpp).
#include <vector>

#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/vcon_session.hpp"

namespace atl::ssi {

bool ConsoleFollower::attach() {
    if (attached_)
        return true;
    auto r = vcon::Reader::open(area_);
    if (!r) {
        if (r.error() == Error::bad_signature)
            return false;   // no console yet: not an error, keep waiting
        throw Failure(console_error(id_, r.error()));
    }
    reader_ = *r;
    attached_ = true;
    // A restarted partition continues the stream (see vcon::Writer::format);
    // if it started afresh instead, start over from its beginning.
    auto h = reader_.head();
    if (!h || *h < cursor_)
        cursor_ = 0;
    return true;
}

void ConsoleFollower::skip_to_head() {
    if (!attach())
        return;
    auto h = reader_.head();
    if (h)
        cursor_ = *h;
}

std::string ConsoleFollower::snapshot() {
    if (!attach())
        return {};
    std::vector<std::byte> buf(reader_.capacity());
    auto c = reader_.last(buf);
    if (!c)
        throw Failure(console_error(id_, c.error()));
    cursor_ = c->cursor;
    return std::string(reinterpret_cast<const char*>(buf.data()), c->size);
}

std::string ConsoleFollower::read_from_cursor() {
    std::string text;
    std::vector<std::byte> buf(reader_.capacity());
    for (;;) {
        auto c = reader_.read(cursor_, buf);
        if (!c) {
            if (c.error() == Error::busy || c.error() == Error::bad_signature) {
                // Re-formatted (restarted) or being re-formatted right now.
                attached_ = false;
                if (attach())
                    text += "\n[vcon: console restarted]\n";
                return text;
            }
            throw Failure(console_error(id_, c.error()));
        }
        if (c->lost > 0)
            text += "\n[vcon: " + std::to_string(c->lost) + " bytes lost]\n";
        text.append(reinterpret_cast<const char*>(buf.data()), c->size);
        const bool more = c->cursor != cursor_ && c->size == buf.size();
        cursor_ = c->cursor;
        if (!more)
            return text;
    }
}

std::string ConsoleFollower::poll() {
    if (!attach())
        return {};
    return read_from_cursor();
}

std::size_t ConsoleTyper::type(std::string_view text) {
    if (!attached_) {
        auto in = vcon::Input::open(area_);
        if (!in) {
            if (in.error() == Error::bad_signature)
                return 0;
            throw Failure(console_error(id_, in.error()));
        }
        input_ = *in;
        attached_ = true;
    }
    auto n = input_.write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
    if (!n) {
        attached_ = false;   // restarted: re-open on the next call
        if (n.error() == Error::busy || n.error() == Error::bad_signature)
            return 0;
        throw Failure(console_error(id_, n.error()));
    }
    return *n;
}

std::string EscapeFilter::filter(std::string_view in) {
    std::string out;
    for (char ch : in) {
        if (pending_) {
            pending_ = false;
            if (ch == 'q' || ch == 'Q') {
                detach_ = true;
                return out;
            }
            out += escape;
            if (ch != escape)
                out += ch;
            continue;
        }
        if (ch == escape)
            pending_ = true;
        else
            out += ch;
    }
    return out;
}

}  // namespace atl::ssi

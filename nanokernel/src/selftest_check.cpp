// Self-test bookkeeping: see selftest_check.hpp.
#include "atoll/nk/selftest_check.hpp"

namespace atl::nk::selftest {

void Checker::section(const char* name) {
    if (section_count_ < max_sections)
        sections_[section_count_++] = Section{name, 0};
}

bool Checker::expect(bool ok, const char* what) {
    if (failed_ != 0)
        return false;
    ++count_;
    if (ok) {
        if (section_count_ > 0)
            ++sections_[section_count_ - 1].checks;
        return true;
    }
    failed_ = count_;
    msg_.str("check ").dec(count_);
    if (section_count_ > 0)
        msg_.str(" (").str(sections_[section_count_ - 1].name).ch(')');
    msg_.str(": ").str(what);
    return false;
}

bool Checker::expect_eq(std::uint64_t got, std::uint64_t want, const char* what) {
    if (expect(got == want, what))
        return true;
    if (failed_ == count_)
        msg_.str(": got ").dec(got).str(", want ").dec(want);
    return false;
}

bool Checker::expect_error(Error got, Error want, const char* what) {
    if (expect(got == want, what))
        return true;
    if (failed_ == count_)
        msg_.str(": got '").str(error_name(got)).str("', want '").str(error_name(want)).ch('\'');
    return false;
}

int Checker::finish() {
    if (failed_ != 0)
        return -static_cast<int>(failed_);
    for (std::uint32_t i = 0; i < section_count_; ++i) {
        if (i > 0)
            msg_.str(", ");
        msg_.str(sections_[i].name).str(" (").dec(sections_[i].checks).ch(')');
    }
    return static_cast<int>(count_);
}

}  // namespace atl::nk::selftest

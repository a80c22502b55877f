// People-facing text for bzImage refusals: says what is wrong, with the
// values read, and for configuration problems which kernel option to change.
#include "atoll/kb/bzimage.hpp"

namespace atl::kb {

namespace {

void version(nk::TextWriter& out, std::uint64_t v) {
    out.dec(v >> 8).ch('.').dec(v & 0xff);
}

}  // namespace

void describe(const ImageRefusal& r, nk::TextWriter& out) {
    switch (r.reason) {
    case ImageError::none:
        out.str("kernel image accepted");
        return;
    case ImageError::too_small:
        out.str("not a bzImage: ").dec(r.got).str(" bytes, shorter than its setup header (")
            .dec(r.want).str(" bytes)");
        return;
    case ImageError::bad_boot_flag:
        out.str("not a bzImage: boot sector signature ").hex(r.got).str(" (want ").hex(r.want).ch(')');
        return;
    case ImageError::bad_header_magic:
        out.str("not a bzImage: setup header magic ").hex(r.got).str(" (want \"HdrS\" ").hex(r.want).ch(')');
        return;
    case ImageError::old_protocol:
        out.str("kernel boot protocol ");
        version(out, r.got);
        out.str(" is too old (want ");
        version(out, r.want);
        out.str(" or later)");
        return;
    case ImageError::bad_header_length:
        out.str("corrupt bzImage: setup header ends at ").hex(r.got).str(" (want ").hex(r.want)
            .str(" to ").hex(ATOLL_BP_HEADER_MAX_END).ch(')');
        return;
    case ImageError::not_bzimage:
        out.str("not a bzImage: a zImage (loadflags ").hex(r.got).str(" lack LOADED_HIGH)");
        return;
    case ImageError::not_64bit:
        out.str("kernel has no 64-bit entry point (xloadflags ").hex(r.got)
            .str(" lack XLF_KERNEL_64): build it for x86_64");
        return;
    case ImageError::not_relocatable:
        out.str("kernel is not relocatable: enable CONFIG_RELOCATABLE (a partition kernel "
                "must run at an address inside its own RAM)");
        return;
    case ImageError::empty_payload:
        out.str("corrupt bzImage: syssize is 0 (no protected-mode kernel)");
        return;
    case ImageError::truncated:
        out.str("kernel truncated: payload needs ").dec(r.want).str(" bytes, image has ").dec(r.got);
        return;
    case ImageError::bad_init_size:
        out.str("corrupt bzImage: init_size ").dec(r.got).str(" is smaller than the payload (")
            .dec(r.want).str(" bytes)");
        return;
    case ImageError::bad_alignment:
        out.str("corrupt bzImage: kernel_alignment ").hex(r.got).str(" is not a power of two of at least ")
            .hex(r.want);
        return;
    case ImageError::bad_cmdline_size:
        out.str("corrupt bzImage: cmdline_size is 0");
        return;
    }
    out.str("kernel image refused: ").str(image_error_name(r.reason));
}

}  // namespace atl::kb

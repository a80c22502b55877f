// People-facing text for kernel image refusals (bzImage and vmlinux): says
// what is wrong, with the values read, and for configuration problems which
// kernel option to change.
#include "atoll/kb/kernel_image.hpp"

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
        out.str("not a kernel image (vmlinux or bzImage): ").dec(r.got).str(" bytes, shorter than its setup header (")
            .dec(r.want).str(" bytes)");
        return;
    case ImageError::bad_boot_flag:
        out.str("not a kernel image (vmlinux or bzImage): boot sector signature ").hex(r.got).str(" (want ").hex(r.want).ch(')');
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
        out.str("corrupt bzImage: a payload of ").dec(r.got).str(" bytes (syssize) ends before its 64-bit entry at ")
            .hex(r.want);
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
    case ImageError::elf_too_small:
        out.str("truncated vmlinux: ").dec(r.got).str(" bytes, shorter than an ELF header (").dec(r.want)
            .str(" bytes)");
        return;
    case ImageError::elf_not_x86_64:
        out.str("not an x86-64 kernel: an ELF file, but not ELF64 little-endian for x86-64 (read ")
            .dec(r.got).str(", want ").dec(r.want).ch(')');
        return;
    case ImageError::elf_not_executable:
        out.str("not a vmlinux: ELF type ").dec(r.got).str(" (want ").dec(r.want).str(", an executable)");
        return;
    case ImageError::elf_bad_headers:
        out.str("corrupt vmlinux: program header table does not fit (read ").dec(r.got).str(", limit ")
            .dec(r.want).ch(')');
        return;
    case ImageError::elf_segment_outside:
        out.str("vmlinux truncated: a segment needs ").dec(r.got).str(" bytes, the file has ").dec(r.want);
        return;
    case ImageError::elf_bad_segment:
        out.str("corrupt vmlinux: the segment at physical ").hex(r.got)
            .str(" overlaps the one before it or has fewer bytes in memory than in the file");
        return;
    case ImageError::elf_many_segments:
        out.str("vmlinux has ").dec(r.got).str(" loadable segments (the loader takes at most ").dec(r.want)
            .ch(')');
        return;
    case ImageError::elf_no_segments:
        out.str("corrupt vmlinux: no loadable segment");
        return;
    case ImageError::elf_misaligned:
        out.str("vmlinux is linked at physical ").hex(r.got).str(", not a multiple of ").hex(r.want)
            .str(": check CONFIG_PHYSICAL_START and CONFIG_PHYSICAL_ALIGN");
        return;
    case ImageError::elf_too_big:
        out.str("vmlinux spans ").dec(r.got).str(" bytes, more than a kernel may (").dec(r.want).ch(')');
        return;
    case ImageError::elf_bad_entry:
        out.str("corrupt vmlinux: entry point ").hex(r.got).str(" is outside its first segment");
        return;
    case ImageError::elf_not_linux:
        out.str("not a Linux kernel: an x86-64 executable without the \"Linux\" ELF note");
        return;
    }
    out.str("kernel image refused: ").str(image_error_name(r.reason));
}

}  // namespace atl::kb

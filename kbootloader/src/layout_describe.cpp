// People-facing text for layout refusals.
#include "atoll/abi/abi.h"
#include "atoll/kb/layout.hpp"

namespace atl::kb {

const char* piece_name(Piece p) {
    switch (p) {
    case Piece::kernel: return "kernel";
    case Piece::initrd: return "initramfs";
    case Piece::boot_params: return "boot_params";
    case Piece::cmdline: return "command line";
    case Piece::setup_data: return "setup_data";
    }
    return "piece";
}

const char* layout_error_name(LayoutError e) {
    switch (e) {
    case LayoutError::none: return "none";
    case LayoutError::no_ram: return "no-ram";
    case LayoutError::too_many_ranges: return "too-many-ranges";
    case LayoutError::empty_range: return "empty-range";
    case LayoutError::unsorted_ranges: return "unsorted-ranges";
    case LayoutError::low_memory: return "low-memory";
    case LayoutError::bad_input: return "bad-input";
    case LayoutError::too_small: return "too-small";
    case LayoutError::below_pref_address: return "below-pref-address";
    case LayoutError::needs_low_memory: return "needs-low-memory";
    case LayoutError::no_room: return "no-room";
    }
    return "unknown";
}

Error layout_error_code(LayoutError e) {
    switch (e) {
    case LayoutError::none: return Error::ok;
    case LayoutError::no_ram:
    case LayoutError::empty_range:
    case LayoutError::low_memory:
    case LayoutError::bad_input: return Error::invalid_argument;
    case LayoutError::too_many_ranges: return Error::out_of_range;
    case LayoutError::unsorted_ranges: return Error::overlap;
    case LayoutError::too_small:
    case LayoutError::below_pref_address:
    case LayoutError::needs_low_memory:
    case LayoutError::no_room: return Error::exhausted;
    }
    return Error::invalid_argument;
}

void describe(const LayoutRefusal& r, nk::TextWriter& out) {
    switch (r.reason) {
    case LayoutError::none:
        out.str("layout accepted");
        return;
    case LayoutError::no_ram:
        out.str("partition has no RAM");
        return;
    case LayoutError::too_many_ranges:
        out.str("partition has ").dec(r.got).str(" RAM ranges, at most ").dec(r.want);
        return;
    case LayoutError::empty_range:
        out.str("partition RAM range #").dec(r.index).str(" is empty or reversed");
        return;
    case LayoutError::unsorted_ranges:
        out.str("partition RAM range #").dec(r.index)
            .str(" overlaps or precedes the one before it (ranges must be sorted and disjoint)");
        return;
    case LayoutError::low_memory:
        out.str("partition RAM range #").dec(r.index).str(" starts at ").hex(r.got)
            .str(", inside the first MiB (the host's; a partition's RAM starts at ").hex(r.want)
            .str(" or above)");
        return;
    case LayoutError::bad_input:
        out.str("invalid layout input: a zero size or a bad kernel alignment");
        return;
    case LayoutError::too_small:
        out.str("partition memory ").size(r.ram).str(" cannot hold kernel init_size ").size(r.kernel)
            .str(" + initramfs ").size(r.initrd).str(" + boot data ").size(r.boot_data);
        return;
    case LayoutError::below_pref_address:
        out.str("no room for the ").str(piece_name(r.piece)).str(" (").size(r.got)
            .str(") at or above its preferred address ").hex(r.want)
            .str(" (a relocatable kernel loaded lower moves itself there)");
        return;
    case LayoutError::needs_low_memory:
        out.str("no room for the ").str(piece_name(r.piece)).str(" (").size(r.got).str(") below ").hex(r.want)
            .str(", the limit for a kernel without XLF_CAN_BE_LOADED_ABOVE_4G (x86_64 with "
                 "CONFIG_RELOCATABLE has it)");
        return;
    case LayoutError::no_room:
        out.str("no room for the ").str(piece_name(r.piece)).str(": needs ").size(r.want)
            .str(" contiguous, largest free block is ").size(r.got);
        return;
    }
    out.str("layout refused: ").str(layout_error_name(r.reason));
}

}  // namespace atl::kb

// A workload's own address (atoll start --ip, atoll thaw) claimed across
// the cluster while it is being given: two such commands at once could
// otherwise each see the address free and both take it.
//
// A claim is a file /home/.atoll/addresses/ADDR made with O_EXCL (atomic on
// the shared /home, NFS included), held from before the check that no
// workload has the address until the workload runs with it, then removed:
// from then on the workload's record says the address is taken. Why that
// closes the race: of two commands after the same address, the second to
// make the file either fails (the first still holds it) or makes it after
// the first removed it, that is after the first's workload was listed, so
// the second's check, made after its claim, sees that workload.
#pragma once

#include <string>

namespace atl::cli {

class AddressClaim {
public:
    // Claims `address`; false when another command holds it now. A claim
    // older than a minute is a command that died holding it: taken over.
    [[nodiscard]] bool take(const std::string& address);
    ~AddressClaim();   // releases what it holds
    AddressClaim() = default;
    AddressClaim(const AddressClaim&) = delete;
    AddressClaim& operator=(const AddressClaim&) = delete;
    void release();

private:
    std::string held_;   // the claim file, "" when none
};

}  // namespace atl::cli

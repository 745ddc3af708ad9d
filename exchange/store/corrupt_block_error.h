#pragma once
// A stored block whose bytes do not hash to its CID (bit rot, a damaged or
// edited pack): reading it for serving, proving or exchange must fail, never
// hand out the bytes.
#include <string>

#include "exchange/error.h"
#include "exchange/multiformats/cid.h"

namespace codex::store {

class CorruptBlockError : public StoreError {
 public:
  CorruptBlockError(const Cid& cid, const std::string& what) : StoreError(what), cid_(cid) {}
  const Cid& cid() const { return cid_; }

 private:
  Cid cid_;
};

}  // namespace codex::store

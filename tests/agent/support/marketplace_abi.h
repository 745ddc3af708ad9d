// A hand-written subset of the marketplace ABI JSON (spec/marketplace.md §2, §5–§7),
// so eth tests do not depend on the compiled artifacts. Shared struct layouts are
// written once and substituted (@REQUEST@, @PROOF@, @ASK@).
#pragma once

#include <string>

namespace codex::test {

inline const std::string& marketplace_abi_json() {
  static const std::string json = [] {
    const std::string ask = R"JSON([
      {"name":"proofProbability","type":"uint256"},{"name":"pricePerBytePerSecond","type":"uint256"},
      {"name":"collateralPerByte","type":"uint256"},{"name":"slots","type":"uint64"},
      {"name":"slotSize","type":"uint64"},{"name":"duration","type":"uint64"},{"name":"maxSlotLoss","type":"uint64"}])JSON";
    const std::string request = R"JSON([
    {"name":"client","type":"address"},
    {"name":"ask","type":"tuple","components":@ASK@},
    {"name":"content","type":"tuple","components":[{"name":"cid","type":"bytes"},{"name":"merkleRoot","type":"bytes32"}]},
    {"name":"expiry","type":"uint64"},{"name":"nonce","type":"bytes32"}])JSON";
    const std::string proof = R"JSON([
     {"name":"a","type":"tuple","components":[{"name":"x","type":"uint256"},{"name":"y","type":"uint256"}]},
     {"name":"b","type":"tuple","components":[
       {"name":"x","type":"tuple","components":[{"name":"real","type":"uint256"},{"name":"imag","type":"uint256"}]},
       {"name":"y","type":"tuple","components":[{"name":"real","type":"uint256"},{"name":"imag","type":"uint256"}]}]},
     {"name":"c","type":"tuple","components":[{"name":"x","type":"uint256"},{"name":"y","type":"uint256"}]}])JSON";
    std::string text = R"JSON([
 {"type":"function","name":"requestStorage","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"request","type":"tuple","components":@REQUEST@}]},
 {"type":"function","name":"getRequest","stateMutability":"view","inputs":[{"name":"requestId","type":"bytes32"}],
  "outputs":[{"name":"","type":"tuple","components":@REQUEST@}]},
 {"type":"function","name":"reserveSlot","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"requestId","type":"bytes32"},{"name":"slotIndex","type":"uint64"}]},
 {"type":"function","name":"fillSlot","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"requestId","type":"bytes32"},{"name":"slotIndex","type":"uint64"},
   {"name":"proof","type":"tuple","components":@PROOF@}]},
 {"type":"function","name":"submitProof","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"id","type":"bytes32"},
   {"name":"proof","type":"tuple","components":@PROOF@}]},
 {"type":"function","name":"markProofAsMissing","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"slotId","type":"bytes32"},{"name":"period","type":"uint64"}]},
 {"type":"function","name":"freeSlot","stateMutability":"nonpayable","outputs":[],"inputs":[{"name":"slotId","type":"bytes32"}]},
 {"type":"function","name":"freeSlot","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"slotId","type":"bytes32"},{"name":"rewardRecipient","type":"address"},{"name":"collateralRecipient","type":"address"}]},
 {"type":"function","name":"withdrawFunds","stateMutability":"nonpayable","outputs":[],"inputs":[{"name":"requestId","type":"bytes32"}]},
 {"type":"function","name":"withdrawFunds","stateMutability":"nonpayable","outputs":[],
  "inputs":[{"name":"requestId","type":"bytes32"},{"name":"withdrawRecipient","type":"address"}]},
 {"type":"function","name":"mySlots","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"bytes32[]"}]},
 {"type":"event","name":"StorageRequested","anonymous":false,"inputs":[
   {"name":"requestId","type":"bytes32","indexed":false},
   {"name":"ask","type":"tuple","indexed":false,"components":@ASK@},
   {"name":"expiry","type":"uint64","indexed":false}]},
 {"type":"event","name":"RequestFulfilled","anonymous":false,"inputs":[{"name":"requestId","type":"bytes32","indexed":true}]},
 {"type":"event","name":"RequestFailed","anonymous":false,"inputs":[{"name":"requestId","type":"bytes32","indexed":true}]},
 {"type":"event","name":"RequestCancelled","anonymous":false,"inputs":[{"name":"requestId","type":"bytes32","indexed":true}]},
 {"type":"event","name":"SlotFilled","anonymous":false,"inputs":[{"name":"requestId","type":"bytes32","indexed":true},{"name":"slotIndex","type":"uint64","indexed":false}]},
 {"type":"event","name":"SlotFreed","anonymous":false,"inputs":[{"name":"requestId","type":"bytes32","indexed":true},{"name":"slotIndex","type":"uint64","indexed":false}]},
 {"type":"event","name":"SlotReservationsFull","anonymous":false,"inputs":[{"name":"requestId","type":"bytes32","indexed":true},{"name":"slotIndex","type":"uint64","indexed":false}]},
 {"type":"event","name":"ProofSubmitted","anonymous":false,"inputs":[{"name":"id","type":"bytes32","indexed":false}]},
 {"type":"event","name":"Transfer","anonymous":false,"inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
 {"type":"error","name":"Marketplace_SlotNotFree","inputs":[]},
 {"type":"error","name":"Marketplace_UnknownRequest","inputs":[]},
 {"type":"error","name":"ERC20InsufficientBalance","inputs":[{"name":"sender","type":"address"},{"name":"balance","type":"uint256"},{"name":"needed","type":"uint256"}]}
])JSON";
    auto subst = [&](const std::string& key, const std::string& value) {
      for (auto pos = text.find(key); pos != std::string::npos;
           pos = text.find(key, pos + value.size()))
        text.replace(pos, key.size(), value);
    };
    subst("@REQUEST@", request);
    subst("@PROOF@", proof);
    subst("@ASK@", ask);
    return text;
  }();
  return json;
}

}  // namespace codex::test

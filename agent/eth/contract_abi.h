// A contract's ABI, read from its JSON description (solc output: an array, or an
// artifact object with an "abi" member): functions, events and errors with their
// selectors and topics, and the calls that encode and decode through them.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/eth/abi_codec.h"

namespace codex::eth {

using Selector = std::array<uint8_t, 4>;
using Topic = std::array<uint8_t, 32>;

struct AbiParam {
  std::string name;
  AbiType type;
  bool indexed = false;
};

struct AbiFunction {
  std::string name;
  std::vector<AbiParam> inputs, outputs;
  std::string state_mutability;
  AbiType input_tuple, output_tuple;
  std::string signature;  // "name(canonical,types)"
  Selector selector{};
};

struct AbiEvent {
  std::string name;
  std::vector<AbiParam> inputs;
  bool anonymous = false;
  AbiType data_tuple;  // the non-indexed inputs, in order
  std::string signature;
  Topic topic0{};
};

struct AbiErrorDef {
  std::string name;
  std::vector<AbiParam> inputs;
  AbiType input_tuple;
  std::string signature;
  Selector selector{};
};

// A decoded log: the event, and its inputs in declaration order (indexed ones from
// the topics; indexed dynamic values appear as their 32-byte topic hash).
struct DecodedLog {
  const AbiEvent* event = nullptr;
  std::vector<AbiValue> values;
  const AbiValue& operator[](std::string_view input_name) const;
};

class ContractAbi {
 public:
  // Throws AbiError on malformed JSON or unknown types.
  static ContractAbi parse(std::string_view json_text);

  // By name when unique, or by full signature ("freeSlot(bytes32,address,address)").
  // Throws AbiError when missing or when a bare name is overloaded.
  const AbiFunction& function(std::string_view name_or_signature) const;
  const AbiEvent& event(std::string_view name_or_signature) const;
  const AbiEvent* event_by_topic(const Topic& topic0) const;
  const AbiErrorDef* error_by_selector(const Selector& sel) const;
  const std::vector<AbiFunction>& functions() const { return functions_; }
  const std::vector<AbiEvent>& events() const { return events_; }
  const std::vector<AbiErrorDef>& errors() const { return errors_; }

  // selector ‖ encoded arguments. Throws AbiError on argument mismatch.
  Bytes encode_call(std::string_view function, const std::vector<AbiValue>& args) const;
  // Contract creation data: `bytecode` ‖ encoded constructor arguments.
  Bytes encode_deploy(std::span<const uint8_t> bytecode, const std::vector<AbiValue>& args) const;
  // Decodes eth_call return data into the function's outputs.
  std::vector<AbiValue> decode_output(std::string_view function,
                                      std::span<const uint8_t> data) const;
  // Decodes a log of one of this contract's events. Returns nullopt when topic0 is
  // not one of them; throws AbiError when it is but the topics/data are malformed.
  std::optional<DecodedLog> decode_log(std::span<const Topic> topics,
                                       std::span<const uint8_t> data) const;

 private:
  std::vector<AbiFunction> functions_;
  std::vector<AbiEvent> events_;
  std::vector<AbiErrorDef> errors_;
  AbiType constructor_tuple_ = AbiType::tuple({});
  std::map<Topic, size_t> event_index_;
  std::map<Selector, size_t> error_index_;
};

// Selector of a signature string such as "transfer(address,uint256)".
Selector selector_of(std::string_view signature);

}  // namespace codex::eth

#include "agent/eth/contract_abi.h"

#include <nlohmann/json.hpp>

#include "agent/eth/keccak.h"

namespace codex::eth {
namespace {

using nlohmann::json;

std::string str_field(const json& j, const char* key) {
  if (!j.contains(key)) return {};
  if (!j[key].is_string()) throw AbiError(std::string("abi json: '") + key + "' is not a string");
  return j[key].get<std::string>();
}

// "tuple", "tuple[]", "tuple[2][]" with components, or an elementary type string.
AbiType type_of(const json& p) {
  std::string t = str_field(p, "type");
  if (t.rfind("tuple", 0) != 0) return AbiType::parse(t);
  if (!p.contains("components") || !p["components"].is_array())
    throw AbiError("abi json: tuple without components");
  std::vector<AbiType> members;
  std::vector<std::string> names;
  for (const auto& c : p["components"]) {
    members.push_back(type_of(c));
    names.push_back(str_field(c, "name"));
  }
  AbiType base = AbiType::tuple(std::move(members), std::move(names));
  // Re-apply the array suffixes after "tuple" by parsing them on a placeholder.
  std::string suffix = t.substr(5);
  if (suffix.empty()) return base;
  AbiType shape = AbiType::parse("bool" + suffix);
  std::vector<const AbiType*> chain;
  for (const AbiType* s = &shape;
       s->kind == AbiType::Kind::Array || s->kind == AbiType::Kind::FixedArray; s = &s->element())
    chain.push_back(s);
  AbiType r = std::move(base);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    r = (*it)->kind == AbiType::Kind::Array ? AbiType::array_of(std::move(r))
                                            : AbiType::fixed_array_of(std::move(r), (*it)->length);
  return r;
}

std::vector<AbiParam> params_of(const json& entry, const char* key) {
  std::vector<AbiParam> out;
  if (!entry.contains(key)) return out;
  if (!entry[key].is_array())
    throw AbiError(std::string("abi json: '") + key + "' is not an array");
  for (const auto& p : entry[key]) {
    if (!p.is_object()) throw AbiError("abi json: parameter is not an object");
    AbiParam ap{str_field(p, "name"), type_of(p), p.value("indexed", false)};
    out.push_back(std::move(ap));
  }
  return out;
}

AbiType tuple_of(const std::vector<AbiParam>& ps, bool skip_indexed = false) {
  std::vector<AbiType> t;
  std::vector<std::string> n;
  for (const auto& p : ps) {
    if (skip_indexed && p.indexed) continue;
    t.push_back(p.type);
    n.push_back(p.name);
  }
  return AbiType::tuple(std::move(t), std::move(n));
}

std::string signature_of(const std::string& name, const std::vector<AbiParam>& ps) {
  std::string s = name + "(";
  for (size_t i = 0; i < ps.size(); ++i)
    s += (i ? "," : "") + ps[i].type.canonical();
  return s + ")";
}

template <class T>
const T& lookup(const std::vector<T>& items, std::string_view key, const char* what) {
  const bool by_sig = key.find('(') != std::string_view::npos;
  const T* found = nullptr;
  for (const auto& it : items) {
    if ((by_sig ? it.signature : it.name) != key) continue;
    if (found)
      throw AbiError(std::string("abi: ") + what + " '" + std::string(key) +
                     "' is overloaded; use its signature");
    found = &it;
  }
  if (!found) throw AbiError(std::string("abi: no ") + what + " '" + std::string(key) + "'");
  return *found;
}

}  // namespace

Selector selector_of(std::string_view signature) {
  auto h = keccak256(signature);
  return {h[0], h[1], h[2], h[3]};
}

const AbiValue& DecodedLog::operator[](std::string_view input_name) const {
  for (size_t i = 0; i < event->inputs.size(); ++i)
    if (event->inputs[i].name == input_name) return values.at(i);
  throw AbiError("abi: event " + event->name + " has no input '" + std::string(input_name) + "'");
}

ContractAbi ContractAbi::parse(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) throw AbiError("abi json: not valid JSON");
  if (doc.is_object() && doc.contains("abi")) doc = doc["abi"];
  if (!doc.is_array()) throw AbiError("abi json: expected an array of entries");
  ContractAbi abi;
  for (const auto& e : doc) {
    if (!e.is_object()) throw AbiError("abi json: entry is not an object");
    std::string type = str_field(e, "type"), name = str_field(e, "name");
    if (type == "function") {
      AbiFunction f;
      f.name = name;
      f.inputs = params_of(e, "inputs");
      f.outputs = params_of(e, "outputs");
      f.state_mutability = str_field(e, "stateMutability");
      f.input_tuple = tuple_of(f.inputs);
      f.output_tuple = tuple_of(f.outputs);
      f.signature = signature_of(name, f.inputs);
      f.selector = selector_of(f.signature);
      abi.functions_.push_back(std::move(f));
    } else if (type == "event") {
      AbiEvent ev;
      ev.name = name;
      ev.inputs = params_of(e, "inputs");
      ev.anonymous = e.value("anonymous", false);
      ev.data_tuple = tuple_of(ev.inputs, true);
      ev.signature = signature_of(name, ev.inputs);
      ev.topic0 = keccak256(ev.signature);
      abi.events_.push_back(std::move(ev));
    } else if (type == "constructor") {
      abi.constructor_tuple_ = tuple_of(params_of(e, "inputs"));
    } else if (type == "error") {
      AbiErrorDef er;
      er.name = name;
      er.inputs = params_of(e, "inputs");
      er.input_tuple = tuple_of(er.inputs);
      er.signature = signature_of(name, er.inputs);
      er.selector = selector_of(er.signature);
      abi.errors_.push_back(std::move(er));
    }
  }
  for (size_t i = 0; i < abi.events_.size(); ++i)
    if (!abi.events_[i].anonymous) abi.event_index_[abi.events_[i].topic0] = i;
  for (size_t i = 0; i < abi.errors_.size(); ++i)
    abi.error_index_[abi.errors_[i].selector] = i;
  return abi;
}

const AbiFunction& ContractAbi::function(std::string_view key) const {
  return lookup(functions_, key, "function");
}
const AbiEvent& ContractAbi::event(std::string_view key) const {
  return lookup(events_, key, "event");
}

const AbiEvent* ContractAbi::event_by_topic(const Topic& topic0) const {
  auto it = event_index_.find(topic0);
  return it == event_index_.end() ? nullptr : &events_[it->second];
}

const AbiErrorDef* ContractAbi::error_by_selector(const Selector& sel) const {
  auto it = error_index_.find(sel);
  return it == error_index_.end() ? nullptr : &errors_[it->second];
}

Bytes ContractAbi::encode_call(std::string_view name, const std::vector<AbiValue>& args) const {
  const AbiFunction& f = function(name);
  Bytes out(f.selector.begin(), f.selector.end());
  Bytes body = abi::encode_tuple(f.input_tuple, args);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes ContractAbi::encode_deploy(std::span<const uint8_t> bytecode,
                                 const std::vector<AbiValue>& args) const {
  Bytes out(bytecode.begin(), bytecode.end());
  Bytes body = abi::encode_tuple(constructor_tuple_, args);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<AbiValue> ContractAbi::decode_output(std::string_view name,
                                                 std::span<const uint8_t> data) const {
  return abi::decode_tuple(function(name).output_tuple, data);
}

std::optional<DecodedLog> ContractAbi::decode_log(std::span<const Topic> topics,
                                                  std::span<const uint8_t> data) const {
  if (topics.empty()) return std::nullopt;
  const AbiEvent* ev = event_by_topic(topics[0]);
  if (!ev) return std::nullopt;
  size_t indexed = 0;
  for (const auto& p : ev->inputs)
    indexed += p.indexed;
  if (topics.size() != indexed + 1)
    throw AbiError("abi: event " + ev->name + " expects " + std::to_string(indexed + 1) +
                   " topics, got " + std::to_string(topics.size()));
  std::vector<AbiValue> data_values = abi::decode_tuple(ev->data_tuple, data);
  DecodedLog out{ev, {}};
  out.values.reserve(ev->inputs.size());
  size_t ti = 1, di = 0;
  for (const auto& p : ev->inputs) {
    if (!p.indexed) {
      out.values.push_back(std::move(data_values[di++]));
    } else if (p.type.is_dynamic() || p.type.head_size() != 32) {
      out.values.push_back(
          AbiValue(Bytes(topics[ti].begin(), topics[ti].end())));  // only the hash is logged
      ++ti;
    } else {
      out.values.push_back(abi::decode_word(p.type, topics[ti++]));
    }
  }
  return out;
}

}  // namespace codex::eth

#include "agent/eth/abi_type.h"

#include "base/strings.h"

namespace codex::eth {
namespace {

constexpr size_t kMaxFixedArray = 1u << 16;  // keep head sizes bounded

bool parse_number(std::string_view s, size_t& out) {
  if (s.size() > 1 && s[0] == '0') return false;
  auto v = base::parse_decimal<size_t>(s);
  if (v) out = *v;
  return v.has_value();
}

[[noreturn]] void bad(std::string_view text, const char* why) {
  throw AbiError("abi type '" + std::string(text.substr(0, 200)) + "': " + why);
}

AbiType parse_elementary(std::string_view full, std::string_view t) {
  AbiType r;
  size_t n = 0;
  if (t == "address")
    r.kind = AbiType::Kind::Address;
  else if (t == "bool")
    r.kind = AbiType::Kind::Bool;
  else if (t == "string")
    r.kind = AbiType::Kind::String;
  else if (t == "bytes")
    r.kind = AbiType::Kind::Bytes;
  else if (t.rfind("uint", 0) == 0 || t.rfind("int", 0) == 0) {
    bool u = t[0] == 'u';
    std::string_view w = t.substr(u ? 4 : 3);
    r.kind = u ? AbiType::Kind::Uint : AbiType::Kind::Int;
    if (w.empty())
      r.bits = 256;
    else if (parse_number(w, n) && n >= 8 && n <= 256 && n % 8 == 0)
      r.bits = static_cast<unsigned>(n);
    else
      bad(full, "bad integer width");
  } else if (t.rfind("bytes", 0) == 0) {
    if (!parse_number(t.substr(5), n) || n < 1 || n > 32) bad(full, "bytesN needs 1 <= N <= 32");
    r.kind = AbiType::Kind::FixedBytes;
    r.bits = static_cast<unsigned>(n);
  } else {
    bad(full, "unknown type");
  }
  return r;
}

// Parses t (already stripped of array suffixes by the caller's recursion).
AbiType parse_inner(std::string_view full, std::string_view t, int depth) {
  if (depth > 32) bad(full, "nested too deeply");
  if (t.empty()) bad(full, "empty type");
  // Array suffix: last "[...]".
  if (t.back() == ']') {
    size_t open = t.rfind('[');
    if (open == std::string_view::npos) bad(full, "unbalanced ']'");
    std::string_view len = t.substr(open + 1, t.size() - open - 2);
    AbiType el = parse_inner(full, t.substr(0, open), depth + 1);
    if (len.empty()) return AbiType::array_of(std::move(el));
    size_t n = 0;
    if (!parse_number(len, n) || n == 0 || n > kMaxFixedArray) bad(full, "bad fixed array length");
    return AbiType::fixed_array_of(std::move(el), n);
  }
  if (t.front() == '(') {
    if (t.back() != ')') bad(full, "unbalanced '('");
    std::string_view body = t.substr(1, t.size() - 2);
    std::vector<AbiType> members;
    if (!body.empty()) {
      int level = 0;
      size_t start = 0;
      for (size_t i = 0; i <= body.size(); ++i) {
        if (i == body.size() || (body[i] == ',' && level == 0)) {
          members.push_back(parse_inner(full, body.substr(start, i - start), depth + 1));
          start = i + 1;
        } else if (body[i] == '(') {
          ++level;
        } else if (body[i] == ')') {
          if (--level < 0) bad(full, "unbalanced ')'");
        }
      }
      if (level != 0) bad(full, "unbalanced '('");
    }
    return AbiType::tuple(std::move(members));
  }
  return parse_elementary(full, t);
}

}  // namespace

AbiType AbiType::parse(std::string_view text) {
  return parse_inner(text, text, 0);
}

AbiType AbiType::tuple(std::vector<AbiType> members, std::vector<std::string> names) {
  AbiType r;
  r.kind = Kind::Tuple;
  r.components = std::move(members);
  r.names = std::move(names);
  r.names.resize(r.components.size());
  return r;
}

AbiType AbiType::array_of(AbiType element) {
  AbiType r;
  r.kind = Kind::Array;
  r.components.push_back(std::move(element));
  return r;
}

AbiType AbiType::fixed_array_of(AbiType element, size_t n) {
  AbiType r;
  r.kind = Kind::FixedArray;
  r.length = n;
  r.components.push_back(std::move(element));
  return r;
}

std::string AbiType::canonical() const {
  switch (kind) {
    case Kind::Uint:
      return "uint" + std::to_string(bits);
    case Kind::Int:
      return "int" + std::to_string(bits);
    case Kind::Address:
      return "address";
    case Kind::Bool:
      return "bool";
    case Kind::Bytes:
      return "bytes";
    case Kind::String:
      return "string";
    case Kind::FixedBytes:
      return "bytes" + std::to_string(bits);
    case Kind::Array:
      return element().canonical() + "[]";
    case Kind::FixedArray:
      return element().canonical() + "[" + std::to_string(length) + "]";
    case Kind::Tuple: {
      std::string s = "(";
      for (size_t i = 0; i < components.size(); ++i)
        s += (i ? "," : "") + components[i].canonical();
      return s + ")";
    }
  }
  return {};
}

bool AbiType::is_dynamic() const {
  switch (kind) {
    case Kind::Bytes:
    case Kind::String:
    case Kind::Array:
      return true;
    case Kind::FixedArray:
      return element().is_dynamic();
    case Kind::Tuple:
      for (const auto& c : components)
        if (c.is_dynamic()) return true;
      return false;
    default:
      return false;
  }
}

size_t AbiType::head_size() const {
  if (is_dynamic()) return 32;
  if (kind == Kind::FixedArray) return length * element().head_size();
  if (kind == Kind::Tuple) {
    size_t s = 0;
    for (const auto& c : components)
      s += c.head_size();
    return s;
  }
  return 32;
}

}  // namespace codex::eth

#include "agent/sales/sale_state.h"

#include <array>

namespace codex::sales {
namespace {

constexpr std::array<const char*, 14> kNames = {
    "SalePreparing", "SaleSlotReserving", "SaleDownloading", "SaleInitialProving", "SaleFilling",
    "SaleFilled",    "SaleProving",       "SalePayout",      "SaleFinished",       "SaleCancelled",
    "SaleFailed",    "SaleErrored",       "SaleIgnored",     "SaleUnknown"};

}  // namespace

const char* to_string(SaleState s) {
  const auto i = static_cast<size_t>(s);
  return i < kNames.size() ? kNames[i] : "?";
}

std::optional<SaleState> sale_state_from(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (name == kNames[i]) return static_cast<SaleState>(i);
  return std::nullopt;
}

}  // namespace codex::sales

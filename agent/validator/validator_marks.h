#pragma once
// The proofs this validator marked missing and what each earned, in SQLite:
// the totals of GET /validation survive a restart. A mark is recorded once
// its transaction is mined (the journal keeps it from being sent twice).
#include <cstdint>

#include "agent/market/types.h"

namespace codex::base::sqlite {
class Database;
}

namespace codex::validator {

struct MarkTotals {
  uint64_t marks = 0;
  market::Uint256 rewards;  // token units
};

class ValidatorMarks {
 public:
  explicit ValidatorMarks(base::sqlite::Database& db);

  void record(const market::SlotId& slot, uint64_t period, const market::Uint256& reward,
              const market::Hash& tx_hash);
  MarkTotals totals() const;

 private:
  base::sqlite::Database& db_;
};

}  // namespace codex::validator

// All or nothing across components: a writer process commits operations in
// which several components write in ONE transaction of the data directory's
// database — the store (a unit's blocks and leaves, or a unit's deletion),
// the store's quota (a reservation or its release), the transaction journal
// (a signed transaction under the operation's intent key), a role's row (a
// sale) and a watcher-like position — and the test SIGKILLs it at random
// instants, many times. After every kill a restarted store must agree with the log of
// committed operations in every participant: for each committed operation
// all of its parts are there, for the one in flight none.
//
// Participants are a list (participants() below): a component that writes in
// the same transactions joins by adding its write and its check there.
//
// The writer is this same executable (support/self_child.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "agent/eth/private_key.h"
#include "agent/eth/transaction.h"
#include "agent/eth/tx_journal.h"
#include "base/sqlite/migrations.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"
#include "tests/exchange/support/self_child.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::store {
namespace {

namespace fs = std::filesystem;
using base::sqlite::Database;
using base::sqlite::Reset;
using base::sqlite::WriteTxn;

constexpr const char* kWriterEnv = "CODEX_STORE_COMBINED_KILL_WRITER";
constexpr uint64_t kQuota = 16 << 20;

// Operation n either stores unit n (its blocks and leaves, a reservation, a
// sale) or frees an earlier stored unit (deletes its tree, releases its
// reservation, marks its sale freed).
struct Op {
  int64_t n = 0;
  bool store = true;
  int64_t unit = 0;  // == n when storing
};

// What the committed operations say (rebuilt from the operation log).
struct Model {
  int64_t last = 0;                  // the last committed operation
  std::map<int64_t, bool> stored;    // unit → still stored (false: freed)
  std::map<int64_t, int64_t> freed;  // freed unit → the operation that freed it
  int64_t checked = 0;               // operations up to this one were checked before
};

// ---- the contents of a unit, the same in every process ---------------------

using testing::block_cid;
using testing::Bytes;

std::vector<Bytes> unit_blocks(int64_t unit) {
  std::mt19937_64 rng(0x5eed0000 + static_cast<uint64_t>(unit));
  std::vector<Bytes> out(1 + rng() % 12);
  for (auto& b : out)
    b = testing::random_bytes(rng, 512 + rng() % 6000);
  return out;
}

Cid unit_tree(int64_t unit) {
  std::string digest(32, 't');
  for (int i = 0; i < 8; ++i)
    digest[i] = static_cast<char>(unit >> (8 * i));
  return Cid(multicodec::kRoot, Multihash(multicodec::kSha2_256, digest));
}

uint64_t unit_reservation(int64_t unit) {
  return 1000 + static_cast<uint64_t>(unit % 5000);
}

// ---- participants ----------------------------------------------------------

struct Participant {
  const char* name;
  // Adds this component's part of op to t.
  std::function<void(WriteTxn& t, Repo& repo, const Op& op)> write;
  // After a restart: "" if what this component holds agrees with m (every
  // committed operation there, none beyond m.last), else the first problem.
  std::function<std::string(Repo& repo, const Model& m)> check;
};

int64_t read_int(Database& db, const char* sql, int64_t absent) {
  auto r = db.read();
  auto& q = r.cached(sql);
  Reset reset(q);
  return q.step() ? q.int64(0) : absent;
}

// The journal's signer: a dev key; nothing is sent, so no chain is needed.
const eth::PrivateKey& signer() {
  static const eth::PrivateKey key = eth::PrivateKey::from_hex(
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  return key;
}

std::string intent_of(int64_t n) {
  return "op/" + std::to_string(n);
}

// `journal` must outlive the participants.
std::vector<Participant> participants(eth::TxJournal& journal) {
  std::vector<Participant> ps;
  ps.push_back({"store: blocks and leaves",
                [](WriteTxn& t, Repo& repo, const Op& op) {
                  auto s = repo.in(t);
                  if (!op.store) {
                    s.delete_tree(unit_tree(op.unit), SIZE_MAX);
                    return;
                  }
                  auto blocks = unit_blocks(op.unit);
                  for (size_t i = 0; i < blocks.size(); ++i) {
                    s.put_block(block_cid(blocks[i]), blocks[i]);
                    s.put_leaf(unit_tree(op.unit), i, block_cid(blocks[i]), "proof");
                  }
                },
                [](Repo& repo, const Model& m) -> std::string {
                  uint64_t used = 0, count = 0;
                  // Units stored and not freed: everything. Units freed since
                  // the last check, and the unit of the operation in flight
                  // (had it been a store): nothing.
                  std::vector<int64_t> units{m.last + 1};
                  for (const auto& [u, stored] : m.stored)
                    if (stored || m.freed.at(u) > m.checked) units.push_back(u);
                  for (int64_t u : units) {
                    auto it = m.stored.find(u);
                    bool present = it != m.stored.end() && it->second;
                    auto blocks = unit_blocks(u);
                    if (repo.leaf_count(unit_tree(u)) != (present ? blocks.size() : 0))
                      return "unit " + std::to_string(u) + " has " +
                             std::to_string(repo.leaf_count(unit_tree(u))) + " leaves";
                    for (const Bytes& b : blocks) {
                      auto got = repo.get_block(block_cid(b));
                      if (present && got != std::string(b.begin(), b.end()))
                        return "unit " + std::to_string(u) + " lost a block";
                      if (!present && got) return "unit " + std::to_string(u) + " kept a block";
                      used += present ? b.size() : 0;
                      count += present;
                    }
                  }
                  if (repo.usage().used != used || repo.usage().total_blocks != count)
                    return "used " + std::to_string(repo.usage().used) + " in " +
                           std::to_string(repo.usage().total_blocks) + " blocks, expected " +
                           std::to_string(used) + " in " + std::to_string(count);
                  return "";
                }});
  ps.push_back({"store: quota reservations",
                [](WriteTxn& t, Repo& repo, const Op& op) {
                  if (op.store)
                    repo.in(t).reserve(unit_reservation(op.unit));
                  else
                    repo.in(t).release(unit_reservation(op.unit));
                },
                [](Repo& repo, const Model& m) -> std::string {
                  uint64_t want = 0;
                  for (const auto& [u, stored] : m.stored)
                    want += stored ? unit_reservation(u) : 0;
                  if (repo.usage().reserved == want) return "";
                  return "reserved " + std::to_string(repo.usage().reserved) + ", expected " +
                         std::to_string(want);
                }});
  ps.push_back(
      {"role: sale rows",
       [](WriteTxn& t, Repo&, const Op& op) {
         if (op.store)
           t.cached("INSERT INTO test_sales(unit, state) VALUES(?, 'stored')")
               .bind(1, op.unit)
               .run();
         else
           t.cached("UPDATE test_sales SET state = 'freed' WHERE unit = ?").bind(1, op.unit).run();
       },
       [](Repo& repo, const Model& m) -> std::string {
         auto r = repo.database().read();
         auto& q = r.cached("SELECT unit, state FROM test_sales ORDER BY unit");
         Reset reset(q);
         std::map<int64_t, bool> rows;
         while (q.step())
           rows[q.int64(0)] = q.text(1) == "stored";
         return rows == m.stored ? "" : "the sales differ from the operation log";
       }});
  ps.push_back({"eth: transaction journal",
                [&journal](WriteTxn& t, Repo&, const Op& op) {
                  eth::Eip1559Tx tx{31337,
                                    static_cast<uint64_t>(op.n),
                                    eth::Uint256(1),
                                    eth::Uint256(2),
                                    21'000,
                                    signer().address(),
                                    eth::Uint256(static_cast<uint64_t>(op.unit)),
                                    {}};
                  journal.record(t, eth::sign(tx, signer()), intent_of(op.n));
                },
                [&journal](Repo&, const Model& m) -> std::string {
                  for (int64_t n = std::max<int64_t>(1, m.checked - 2); n <= m.last; ++n) {
                    auto e = journal.by_key(signer().address(), intent_of(n));
                    if (!e || e->nonce != static_cast<uint64_t>(n))
                      return "operation " + std::to_string(n) + " lost its journal entry";
                  }
                  if (journal.by_key(signer().address(), intent_of(m.last + 1)))
                    return "the operation in flight left a journal entry";
                  auto top = journal.max_nonce(signer().address());
                  if (top.value_or(0) != static_cast<uint64_t>(m.last))
                    return "the journal's last nonce is " + std::to_string(top.value_or(0));
                  return "";
                }});
  ps.push_back({"watcher-like position",
                [](WriteTxn& t, Repo&, const Op& op) {
                  t.cached(
                       "INSERT INTO test_position(id, op) VALUES(1, ?) "
                       "ON CONFLICT(id) DO UPDATE SET op = excluded.op")
                      .bind(1, op.n)
                      .run();
                },
                [](Repo& repo, const Model& m) -> std::string {
                  int64_t at = read_int(repo.database(), "SELECT op FROM test_position", 0);
                  return at == m.last ? "" : "position " + std::to_string(at);
                }});
  return ps;
}

// The operation log, the roles' tables: a component of their own.
void create_test_tables(Database& db) {
  static const base::sqlite::Migration kTables[] = {
      {1,
       "CREATE TABLE test_ops(n INTEGER PRIMARY KEY, store INTEGER NOT NULL, unit INTEGER "
       "NOT NULL); CREATE TABLE test_sales(unit INTEGER PRIMARY KEY, state TEXT NOT NULL); "
       "CREATE TABLE test_position(id INTEGER PRIMARY KEY CHECK(id = 1), op INTEGER NOT NULL);"}};
  db.write([](WriteTxn& t) { base::sqlite::migrate(t, "test_roles", kTables); });
}

// Commits op: every participant's part and its log row, in one transaction.
void commit_op(Repo& repo, const std::vector<Participant>& ps, const Op& op) {
  repo.database().write([&](WriteTxn& t) {
    for (const Participant& p : ps)
      p.write(t, repo, op);
    t.cached("INSERT INTO test_ops(n, store, unit) VALUES(?, ?, ?)")
        .bind(1, op.n)
        .bind(2, int64_t{op.store})
        .bind(3, op.unit)
        .run();
  });
}

Model read_model(Database& db) {
  Model m;
  auto r = db.read();
  auto& q = r.cached("SELECT n, store, unit FROM test_ops ORDER BY n");
  Reset reset(q);
  while (q.step()) {
    if (q.int64(0) != m.last + 1) throw std::runtime_error("the operation log has a gap");
    m.last = q.int64(0);
    m.stored[q.int64(2)] = q.int64(1) != 0;
    if (!q.int64(1)) m.freed[q.int64(2)] = m.last;
  }
  return m;
}

RepoOptions writer_options(Durability durability) {
  RepoOptions o;
  o.quota_bytes = kQuota;
  o.default_ttl = std::chrono::seconds(3600);
  o.storage = BlockStorage::kPacks;
  o.durability = durability;
  o.pack_bytes = 32 << 10;  // rotations, emptied packs and compaction within a run
  return o;
}

// ---- the writer process ------------------------------------------------------

// Reports "b<n>" before operation n and "c<n>" once it committed.
void report(char what, int64_t n) {
  char rec[9];
  rec[0] = what;
  std::memcpy(rec + 1, &n, 8);
  testing::report_progress(rec, sizeof rec);
}

// The writer process: works until its parent is gone or a minute passed.
void run_writer(const std::string& s) {  // "<p|c>:<seed>:<dir>"
  size_t colon = s.find(':', 2);
  std::mt19937_64 rng(std::stoull(s.substr(2, colon - 2)));
  auto store = testing::open_store(
      s.substr(colon + 1),
      writer_options(s[0] == 'p' ? Durability::kPowerLoss : Durability::kProcessCrash));
  create_test_tables(store.db());
  eth::TxJournal journal(store.db());
  const auto ps = participants(journal);
  Model m = read_model(store.db());
  std::vector<int64_t> stored;
  for (const auto& [u, is] : m.stored)
    if (is) stored.push_back(u);
  pid_t parent = ::getppid();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int64_t n = m.last + 1; ::getppid() == parent && std::chrono::steady_clock::now() < deadline;
       ++n) {
    Op op{n, true, n};
    if (!stored.empty() && (stored.size() > 12 || rng() % 10 < 3)) {
      size_t k = rng() % stored.size();
      op = {n, false, stored[k]};
      stored.erase(stored.begin() + static_cast<long>(k));
    } else {
      stored.push_back(n);
    }
    report('b', n);
    commit_op(*store, ps, op);
    report('c', n);
    if (rng() % 10 == 0) store->run_maintenance(16);  // compaction moves blocks
  }
}

[[maybe_unused]] const bool kIsWriter = testing::run_if_self_child(kWriterEnv, run_writer);

TEST(CombinedKill, EveryParticipantHasAllOfACommittedOperationAndNoneOfAnother) {
  testing::TempDir tmp("node_combined_kill_test");
  const fs::path dir = tmp.path() / "data";
  std::mt19937_64 rng(::getpid());
  constexpr int kKills = 40;
  int in_flight = 0;
  int64_t acked = 0;    // the last operation the writer saw committed
  int64_t checked = 0;  // the last operation checked after a restart

  for (int round = 0; round < kKills; ++round) {
    Durability durability = round % 2 ? Durability::kPowerLoss : Durability::kProcessCrash;
    testing::SelfChild child = testing::spawn_self(
        kWriterEnv, std::string(durability == Durability::kPowerLoss ? "p" : "c") + ":" +
                        std::to_string(rng()) + ":" + dir.string());
    // The kill lands after the writer's first operation began (a loaded
    // machine may take long to start it), at a random point after that.
    ASSERT_TRUE(testing::wait_progress(child, 60'000)) << "the writer never began, round " << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 250));
    int status = testing::kill_child(child);
    ASSERT_TRUE(testing::killed_by_sigkill(status))
        << "the writer stopped by itself (status " << status << ") in round " << round;
    int64_t begun = acked;
    std::string progress = testing::drain_progress(child);
    for (size_t i = 0; i + 9 <= progress.size(); i += 9) {
      int64_t n;
      std::memcpy(&n, progress.data() + i + 1, 8);
      (progress[i] == 'b' ? begun : acked) = n;
    }
    in_flight += begun > acked;

    auto store = testing::open_store(dir, writer_options(Durability::kProcessCrash));
    create_test_tables(store.db());
    eth::TxJournal journal(store.db());
    ConsistencyReport rep = store->check_consistency(true);
    ASSERT_TRUE(rep.ok()) << "round " << round << ": " << rep.problems.front();
    ASSERT_EQ(rep.blocks_verified, rep.blocks);
    Model m = read_model(store.db());
    m.checked = checked;
    // Nothing acknowledged is lost; nothing not begun is there.
    ASSERT_GE(m.last, acked) << "round " << round;
    ASSERT_LE(m.last, begun) << "round " << round;
    for (const Participant& p : participants(journal)) {
      std::string problem = p.check(*store, m);
      ASSERT_EQ(problem, "") << "round " << round << ", " << p.name << " after operation " << m.last
                             << " (operation " << begun << " was in flight)";
    }
    acked = checked = m.last;
  }
  // The kills must have landed in the middle of operations, not only in
  // start-ups.
  EXPECT_GT(acked, kKills);
  EXPECT_GE(in_flight, kKills / 4);
  std::printf("%d kills, %d during an operation, %lld operations committed\n", kKills, in_flight,
              static_cast<long long>(acked));
}

}  // namespace
}  // namespace codex::store

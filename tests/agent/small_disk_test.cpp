// The stress runs' small disk: a tmpfs in a user and mount namespace of its
// own that a program run inside (nsenter) fills up, invisible from outside,
// copied out for reading, gone with its holder.
#include "agent/devnet/small_disk.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/devnet/child_process.h"
#include "tests/support/temp_dir.h"

namespace codex::devnet {
namespace {

namespace fs = std::filesystem;

// Runs argv to its end; returns its wait status.
int run(std::vector<std::string> argv, const fs::path& log) {
  ChildProcess p(std::move(argv), log);
  for (;;) {
    if (const auto st = p.exited()) return *st;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(SmallDisk, FillsUpForAProgramInsideAndIsCopiedOut) {
  codex::testing::TempDir tmp("small-disk");
  std::string why;
  auto disk = SmallDisk::create(tmp.path() / "disk", 1 << 20, tmp.path() / "holder.log", why);
  if (!disk) GTEST_SKIP() << "no small disk on this machine: " << why;
  EXPECT_EQ(disk->size(), 1u << 20);
  EXPECT_GT(disk->free_bytes(), 0u);

  // 2 MiB written inside a 1 MiB disk: dd fails (no space), the disk is full.
  const fs::path inside = disk->mount_point() / "data";
  std::vector<std::string> argv = disk->enter();
  for (std::string a : {"/bin/sh", "-c",
                        "mkdir -p \"$0\" && echo hello > \"$0/small\" && "
                        "dd if=/dev/zero of=\"$0/big\" bs=64k count=32"})
    argv.push_back(a);
  argv.push_back(inside.string());
  const int st = run(argv, tmp.path() / "dd.log");
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) != 0) << "dd filled a 1 MiB disk with 2 MiB";
  std::ifstream log(tmp.path() / "dd.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("No space left on device"), std::string::npos) << text;
  EXPECT_EQ(disk->free_bytes(), 0u);

  // Outside the namespace the directory is the empty one it was mounted on.
  EXPECT_FALSE(fs::exists(inside / "small"));
  disk->copy_to(tmp.path() / "copy");
  std::ifstream small(tmp.path() / "copy" / "data" / "small");
  std::string word;
  small >> word;
  EXPECT_EQ(word, "hello");
  EXPECT_GT(fs::file_size(tmp.path() / "copy" / "data" / "big"), 512u << 10);

  const fs::path through = disk->enter()[2];  // the holder's pid
  disk.reset();
  EXPECT_FALSE(fs::exists(fs::path("/proc") / through)) << "the holder outlived the disk";
}

}  // namespace
}  // namespace codex::devnet

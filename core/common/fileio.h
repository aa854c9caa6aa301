// SPDX-License-Identifier: MIT
// Reading untrusted files and writing outputs safely: the one place that opens files for
// the core's readers and writers (docs/resource-policy.md states the limits).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace patchbay::core {

// The largest text file any reader accepts (JSON documents, tokenizer files, datasets,
// circuits, sessions): real ones are at most tens of MB, and a parsed JSON document takes
// up to ~10x its text in memory.
constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{256} << 20;

// Throws core::Error naming `file` unless it is a regular file (symbolic links followed):
// "cannot open file (no such file)", "is a directory, not a file", "is not a regular file
// (a FIFO)". It only looks, so a FIFO never blocks and /dev/zero is never read. Any thread.
void requireRegularFile(const std::filesystem::path& file);

// A regular file open for reading. Refused before open() unless it is one, opened
// non-blocking (a FIFO swapped in after the check cannot block) and checked again on the
// open descriptor. Throws core::Error naming the file. Any thread.
class ReadOnlyFile
{
public:
    explicit ReadOnlyFile(const std::filesystem::path& file);
    ~ReadOnlyFile();
    ReadOnlyFile(const ReadOnlyFile&) = delete;
    ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

    int fd() const { return m_fd; }
    std::uint64_t size() const { return m_size; } // as fstat saw it when opened

private:
    int m_fd = -1;
    std::uint64_t m_size = 0;
};

// Reads a whole regular file as bytes; throws core::Error naming the file when it is not
// a regular file, cannot be read or is larger than `maxBytes`. Any thread.
std::string readTextFile(const std::filesystem::path& file, std::uint64_t maxBytes = kMaxTextFileBytes);

// Writes `text` to `file` atomically: into a new file of a unique name in the same
// directory (".NAME.XXXXXX.part", created with O_CREAT|O_EXCL, so a file or symbolic link
// placed there beforehand is never written through), flushed to disk, renamed over `file`,
// and the directory flushed. A replaced file keeps its permission bits; a new one gets
// 0666 less the umask. On failure the temporary file is removed and `file` is untouched.
// Throws core::Error naming the file. Any thread.
void writeTextFileReplacing(const std::filesystem::path& file, const std::string& text);

} // namespace patchbay::core

// SPDX-License-Identifier: MIT
#include "core/fileio.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace patchbay::core {

namespace {

std::string errnoText(int error)
{
    return std::strerror(error);
}

const char* kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a plain file";
}

std::string notRegular(const std::filesystem::path& file, mode_t mode)
{
    if (S_ISDIR(mode))
        return file.string() + ": is a directory, not a file";
    return file.string() + ": is not a regular file (" + kindOf(mode) + ")";
}

std::string sizeText(std::uint64_t bytes)
{
    if (bytes < (std::uint64_t{1} << 20) || bytes % (std::uint64_t{1} << 20) != 0)
        return std::to_string(bytes) + " bytes";
    return std::to_string(bytes >> 20) + " MiB";
}

} // namespace

void requireRegularFile(const std::filesystem::path& file)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        const int error = errno;
        if (error == ENOENT)
            throw Error(file.string() + ": cannot open file (no such file)");
        throw Error(file.string() + ": cannot open file (" + errnoText(error) + ")");
    }
    if (!S_ISREG(st.st_mode))
        throw Error(notRegular(file, st.st_mode));
}

ReadOnlyFile::ReadOnlyFile(const std::filesystem::path& file)
{
    requireRegularFile(file);
    // O_NONBLOCK: should the file have become a FIFO since the check, open() returns at
    // once instead of waiting for a writer; the fstat below then refuses it.
    m_fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (m_fd < 0)
        throw Error(file.string() + ": cannot open file (" + errnoText(errno) + ")");
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const std::string message = notRegular(file, st.st_mode);
        ::close(m_fd);
        m_fd = -1;
        throw Error(message);
    }
    m_size = static_cast<std::uint64_t>(st.st_size);
}

ReadOnlyFile::~ReadOnlyFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

std::string readTextFile(const std::filesystem::path& file, std::uint64_t maxBytes)
{
    const ReadOnlyFile in(file);
    const auto tooLarge = [&](std::uint64_t size) {
        return Error(file.string() + ": the file is larger than the " + sizeText(maxBytes)
                     + " this reader accepts (" + sizeText(size) + " or more; see docs/resource-policy.md)");
    };
    if (in.size() > maxBytes)
        throw tooLarge(in.size());
    std::string text;
    text.resize(static_cast<std::size_t>(in.size()));
    std::size_t done = 0;
    // Read until end of file even past the size fstat gave: a file that grows meanwhile
    // is read whole, but never beyond maxBytes.
    for (;;) {
        if (done == text.size()) {
            if (text.size() > maxBytes)
                throw tooLarge(text.size());
            text.resize(text.size() + 4096);
        }
        const ssize_t n = ::read(in.fd(), text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(file.string() + ": read error (" + errnoText(errno) + ")");
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    text.resize(done);
    if (done > maxBytes)
        throw tooLarge(done);
    return text;
}

} // namespace patchbay::core

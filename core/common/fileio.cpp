// SPDX-License-Identifier: MIT
#include "core/common/fileio.h"

#include "core/common/error.h"

#include <cerrno>
#include <cstring>
#include <random>

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

namespace {

// Removes the temporary file unless released (after the rename).
struct TemporaryFile
{
    std::filesystem::path path;
    int fd = -1;
    bool keep = false;

    ~TemporaryFile()
    {
        if (fd >= 0)
            ::close(fd);
        if (!keep && !path.empty())
            ::unlink(path.c_str());
    }
};

void writeAll(int fd, const std::string& text, const std::filesystem::path& file)
{
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(file.string() + ": write error (" + errnoText(errno) + ")");
        }
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

void writeTextFileReplacing(const std::filesystem::path& file, const std::string& text)
{
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    // The mode of the file being replaced (through a symbolic link, the file it names).
    struct stat old {};
    const bool replacing = ::stat(file.c_str(), &old) == 0;
    if (replacing && S_ISDIR(old.st_mode))
        throw Error(file.string() + ": is a directory, not a file");

    TemporaryFile temp;
    std::random_device entropy;
    std::uniform_int_distribution<int> pick(0, 35);
    for (int attempt = 0; temp.fd < 0; ++attempt) {
        std::string name = "." + file.filename().string() + ".";
        for (int i = 0; i < 6; ++i)
            name += "abcdefghijklmnopqrstuvwxyz0123456789"[pick(entropy)];
        name += ".part";
        const auto path = dir / name;
        // O_EXCL|O_NOFOLLOW: never an existing file, never through a link.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) {
            temp.path = path;
            temp.fd = fd;
        } else if (errno != EEXIST || attempt >= 100) {
            throw Error(file.string() + ": cannot open for writing (" + errnoText(errno) + ")");
        }
    }
    if (replacing && S_ISREG(old.st_mode) && ::fchmod(temp.fd, old.st_mode & 07777) != 0)
        throw Error(file.string() + ": cannot keep its permissions (" + errnoText(errno) + ")");
    writeAll(temp.fd, text, file);
    if (::fsync(temp.fd) != 0)
        throw Error(file.string() + ": cannot flush to disk (" + errnoText(errno) + ")");
    const int fd = temp.fd;
    temp.fd = -1;
    if (::close(fd) != 0)
        throw Error(file.string() + ": write error (" + errnoText(errno) + ")");
    if (::rename(temp.path.c_str(), file.c_str()) != 0)
        throw Error(file.string() + ": cannot write (" + errnoText(errno) + ")");
    temp.keep = true;
    // The rename itself is on disk only once the directory is.
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        (void)::fsync(dirFd); // some file systems refuse fsync on a directory; the data is safe
        ::close(dirFd);
    }
}

} // namespace patchbay::core

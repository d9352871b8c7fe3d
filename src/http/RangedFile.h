#pragma once
// A part of a file on disk as Beast's File concept sees it (for basic_file_body): its size is
// the part's length and reads start at the part's offset, so that a response body sends
// bytes [offset, offset + length) of the file as it goes out (a Range request's answer),
// read with pread, never the whole file into memory. Read-only.
#include <fcntl.h>
#include <unistd.h>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/file_base.hpp>
#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

namespace parley::http {

class RangedFile {
 public:
  using native_handle_type = int;

  RangedFile() = default;
  ~RangedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  RangedFile(RangedFile&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), offset_(other.offset_), length_(other.length_), position_(other.position_) {}
  RangedFile& operator=(RangedFile&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(other.fd_, -1);
      offset_ = other.offset_;
      length_ = other.length_;
      position_ = other.position_;
    }
    return *this;
  }

  // Bytes [offset, offset + length) of `path`.
  void openPart(const std::string& path, std::uint64_t offset, std::uint64_t length, boost::beast::error_code& ec) {
    close(ec);
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      ec = {errno, boost::system::generic_category()};
      return;
    }
    offset_ = offset;
    length_ = length;
    position_ = 0;
    ec = {};
  }

  // The File concept.
  bool is_open() const { return fd_ >= 0; }
  void close(boost::beast::error_code& ec) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ec = {};
  }
  void open(char const* path, boost::beast::file_mode mode, boost::beast::error_code& ec) {
    if (mode != boost::beast::file_mode::read && mode != boost::beast::file_mode::scan) {
      ec = boost::beast::errc::make_error_code(boost::beast::errc::operation_not_supported);
      return;
    }
    openPart(path, 0, 0, ec);
    if (ec) return;
    const off_t end = ::lseek(fd_, 0, SEEK_END);
    length_ = end < 0 ? 0 : static_cast<std::uint64_t>(end);
  }
  std::uint64_t size(boost::beast::error_code& ec) const {
    ec = {};
    return length_;
  }
  std::uint64_t pos(boost::beast::error_code& ec) const {
    ec = {};
    return position_;
  }
  void seek(std::uint64_t offset, boost::beast::error_code& ec) {
    position_ = std::min(offset, length_);
    ec = {};
  }
  std::size_t read(void* buffer, std::size_t n, boost::beast::error_code& ec) {
    const std::uint64_t left = length_ - position_;
    const std::size_t wanted = static_cast<std::size_t>(std::min<std::uint64_t>(n, left));
    if (wanted == 0) {
      ec = {};
      return 0;
    }
    const ssize_t got = ::pread(fd_, buffer, wanted, static_cast<off_t>(offset_ + position_));
    if (got < 0) {
      ec = {errno, boost::system::generic_category()};
      return 0;
    }
    if (got == 0) {  // the file shrank under us
      ec = boost::beast::errc::make_error_code(boost::beast::errc::io_error);
      return 0;
    }
    position_ += static_cast<std::uint64_t>(got);
    ec = {};
    return static_cast<std::size_t>(got);
  }
  std::size_t write(void const*, std::size_t, boost::beast::error_code& ec) {
    ec = boost::beast::errc::make_error_code(boost::beast::errc::operation_not_supported);
    return 0;
  }

 private:
  int fd_ = -1;
  std::uint64_t offset_ = 0, length_ = 0, position_ = 0;
};

}  // namespace parley::http

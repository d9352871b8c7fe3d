#pragma once
// The Prometheus text exposition format (version 0.0.4), written one family at a time:
// every layer that has metrics renders them with this, so /metrics has one shape.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace parley {

class PrometheusText {
 public:
  // A family of one unlabelled sample.
  template <typename T>
  void counter(std::string_view name, std::string_view help, T value) {
    family(name, "counter", help);
    sample(name, {}, value);
  }
  template <typename T>
  void gauge(std::string_view name, std::string_view help, T value) {
    family(name, "gauge", help);
    sample(name, {}, value);
  }
  // A family's header, then its samples; `labels` is written as is, e.g. reason="x".
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  template <typename T>
  void sample(std::string_view name, std::string_view labels, T value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace parley

#include "polarity/model/key_range.hpp"

#include <cmath>
#include <sstream>

namespace polarity::model::keys {

bool Range::contains(double x) const {
    const bool lo_ok = lo_open_ ? x > lo_ : x >= lo_;
    const bool hi_ok = hi_open_ ? x < hi_ : x <= hi_;
    return lo_ok && hi_ok;
}

std::string Range::describe() const {
    const auto number = [](double x) {
        std::ostringstream s;
        s << x;
        return s.str();
    };
    if (std::isinf(lo_) && std::isinf(hi_)) return "";
    if (std::isinf(hi_)) return (lo_open_ ? "> " : ">= ") + number(lo_);
    if (std::isinf(lo_)) return (hi_open_ ? "< " : "<= ") + number(hi_);
    return std::string("in ") + (lo_open_ ? "(" : "[") + number(lo_) + ", " + number(hi_) +
           (hi_open_ ? ")" : "]");
}

}  // namespace polarity::model::keys

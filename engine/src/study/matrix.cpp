#include "polarity/study/matrix.hpp"
#include "polarity/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace polarity::study {

Matrix::Matrix(std::size_t rows, std::size_t cols, double value)
    : rows_(rows), cols_(cols), data_(rows * cols, value) {
    // n x 0 is legitimate too: a study with arms but no uncertain parameters has n samples of
    // nothing to vary.
}

Matrix::Matrix(std::initializer_list<std::initializer_list<double>> rows)
    : rows_(rows.size()), cols_(rows.size() == 0 ? 0 : rows.begin()->size()) {
    data_.reserve(rows_ * cols_);
    for (const auto& r : rows) {
        if (r.size() != cols_) throw polarity::StudyError("matrix: rows of different lengths");
        data_.insert(data_.end(), r.begin(), r.end());
    }
}

Matrix Matrix::identity(std::size_t n) {
    Matrix m(n, n);
    for (std::size_t i = 0; i < n; ++i) m(i, i) = 1.0;
    return m;
}

std::vector<double> Matrix::column(std::size_t c) const {
    std::vector<double> v(rows_);
    for (std::size_t r = 0; r < rows_; ++r) v[r] = (*this)(r, c);
    return v;
}

void Matrix::set_column(std::size_t c, const std::vector<double>& v) {
    if (v.size() != rows_)
        throw polarity::StudyError("matrix: column of length " + std::to_string(v.size()) +
                                    " for a matrix with " + std::to_string(rows_) + " rows");
    for (std::size_t r = 0; r < rows_; ++r) (*this)(r, c) = v[r];
}

std::optional<Matrix> cholesky(const Matrix& a) {
    if (a.rows() != a.cols()) throw polarity::StudyError("cholesky: matrix is not square");
    const std::size_t n = a.rows();
    Matrix l(n, n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j <= i; ++j) {
            double s = a(i, j);
            for (std::size_t m = 0; m < j; ++m) s -= l(i, m) * l(j, m);
            if (i == j) {
                // `!(s > 0)` also catches NaN.
                if (!(s > 0.0)) return std::nullopt;
                l(i, i) = std::sqrt(s);
            } else {
                l(i, j) = s / l(j, j);
            }
        }
    }
    return l;
}

std::vector<double> solve_linear_system(Matrix a, std::vector<double> b, bool allow_singular) {
    const std::size_t n = a.rows();
    if (a.cols() != n) throw polarity::StudyError("solve_linear_system: matrix is not square");
    if (b.size() != n) throw polarity::StudyError("solve_linear_system: right-hand side length");

    double scale = 0.0;
    for (double v : a.data()) scale = std::max(scale, std::abs(v));
    const double tiny = 1e-12 * scale;

    // Forward elimination; `free_var[c]` marks a column with no usable pivot.
    std::vector<bool> free_var(n, false);
    std::vector<std::size_t> pivot_row(n, 0);
    std::size_t row = 0;
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t best = row;
        double best_abs = -1.0;
        for (std::size_t r = row; r < n; ++r) {
            if (std::abs(a(r, c)) > best_abs) {
                best_abs = std::abs(a(r, c));
                best = r;
            }
        }
        if (row >= n || !(best_abs > tiny)) {
            if (!allow_singular)
                throw polarity::StudyError("solve_linear_system: matrix is singular");
            free_var[c] = true;
            continue;
        }
        if (best != row) {
            for (std::size_t k = 0; k < n; ++k) std::swap(a(best, k), a(row, k));
            std::swap(b[best], b[row]);
        }
        for (std::size_t r = row + 1; r < n; ++r) {
            const double f = a(r, c) / a(row, c);
            if (f == 0.0) continue;
            for (std::size_t k = c; k < n; ++k) a(r, k) -= f * a(row, k);
            b[r] -= f * b[row];
        }
        pivot_row[c] = row;
        ++row;
    }

    // Back substitution over the pivot columns; free variables stay 0.
    std::vector<double> x(n, 0.0);
    for (std::size_t c = n; c-- > 0;) {
        if (free_var[c]) continue;
        const std::size_t r = pivot_row[c];
        double s = b[r];
        for (std::size_t k = c + 1; k < n; ++k) s -= a(r, k) * x[k];
        x[c] = s / a(r, c);
    }
    return x;
}

}  // namespace polarity::study

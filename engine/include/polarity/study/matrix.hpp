#pragma once
/// @file
/// A small dense row-major matrix and the two factorisations the study code needs: Cholesky
/// (Iman–Conover) and Gaussian elimination with partial pivoting (PRCC least squares).
/// Sizes here are runs x parameters (thousands x tens), so no BLAS is warranted; the loops run
/// in a fixed order, so results are bitwise reproducible.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <vector>

namespace polarity::study {

/// Dense row-major matrix of doubles. Element (r, c) is data()[r * cols() + c].
class Matrix {
public:
    Matrix() = default;
    /// @throws polarity::StudyError if exactly one of rows, cols is zero with the other not.
    Matrix(std::size_t rows, std::size_t cols, double value = 0.0);
    /// Builds a matrix from nested lists, e.g. {{1, 0.5}, {0.5, 1}}.
    /// @throws polarity::StudyError if the rows have different lengths.
    Matrix(std::initializer_list<std::initializer_list<double>> rows);

    [[nodiscard]] static Matrix identity(std::size_t n);

    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
    double& operator()(std::size_t r, std::size_t c) noexcept { return data_[r * cols_ + c]; }
    double operator()(std::size_t r, std::size_t c) const noexcept { return data_[r * cols_ + c]; }

    /// A copy of column c.
    [[nodiscard]] std::vector<double> column(std::size_t c) const;
    /// Overwrites column c. @throws polarity::StudyError if v.size() != rows().
    void set_column(std::size_t c, const std::vector<double>& v);
    /// Row-major storage.
    [[nodiscard]] const std::vector<double>& data() const noexcept { return data_; }

    friend bool operator==(const Matrix&, const Matrix&) = default;

private:
    std::size_t rows_ = 0;
    std::size_t cols_ = 0;
    std::vector<double> data_;
};

/// Cholesky factor of a symmetric positive definite matrix: lower-triangular L with A = L Lᵀ
/// (Cholesky–Banachiewicz, row by row). Only the lower triangle of `a` is read.
/// @returns std::nullopt when a pivot is not strictly positive (A is not positive definite).
/// @throws polarity::StudyError if `a` is not square.
[[nodiscard]] std::optional<Matrix> cholesky(const Matrix& a);

/// Solves A x = b by Gaussian elimination with partial (row) pivoting.
///
/// A pivot column whose largest remaining entry is below 1e-12 x (largest |a_ij| of A) is
/// numerically singular. With allow_singular = false that throws; with allow_singular = true the
/// variable is treated as free and set to 0, which gives *a* solution when the system is
/// consistent — always the case for least-squares normal equations XᵀX b = Xᵀy, where it means
/// "drop a regressor that is a linear combination of the others".
/// @throws polarity::StudyError on shape mismatch, or on a singular A when not allowed.
[[nodiscard]] std::vector<double> solve_linear_system(Matrix a, std::vector<double> b,
                                                      bool allow_singular = false);

}  // namespace polarity::study

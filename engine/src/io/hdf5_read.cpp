// Small readers for the files Hdf5Recorder writes; used by tests and tools, not on hot paths,
// so each call opens and closes the file.

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "hdf5_detail.hpp"
#include "polarity/core/error.hpp"
#include "polarity/io/hdf5_recorder.hpp"

namespace polarity::io {

namespace fs = std::filesystem;
using detail::check;
using detail::Handle;
using detail::make_handle;

namespace {

Handle open_read_only(const fs::path& file) {
    detail::silence_hdf5_errors();
    const std::string where = file.string();
    Handle fapl = detail::file_access_plist(where);
    return make_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, fapl.get()), "H5Fopen", where);
}

/// Reads into `buf` with memory type `mem`, from a dataset or an attribute.
using Reader = std::function<herr_t(hid_t mem, void* buf)>;

/// An opened dataset or attribute with its type, space and a reader.
struct Source {
    Handle object;
    Handle type;
    Handle space;
    Reader read;
    std::string where;
};

Source open_dataset(hid_t file, const fs::path& path, const std::string& name) {
    Source s;
    s.where = path.string() + ":" + (name.empty() || name[0] != '/' ? "/" : "") + name;
    s.object = make_handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "H5Dopen2", s.where);
    s.type = make_handle(H5Dget_type(s.object.get()), "H5Dget_type", s.where);
    s.space = make_handle(H5Dget_space(s.object.get()), "H5Dget_space", s.where);
    const hid_t ds = s.object.get();
    s.read = [ds](hid_t mem, void* buf) {
        return H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    };
    return s;
}

Source open_attribute(hid_t file, const fs::path& path, const std::string& object,
                      const std::string& attr) {
    Source s;
    s.where = path.string() + ":" + object + " attribute '" + attr + "'";
    s.object = make_handle(H5Aopen_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT,
                                           H5P_DEFAULT), "H5Aopen_by_name", s.where);
    s.type = make_handle(H5Aget_type(s.object.get()), "H5Aget_type", s.where);
    s.space = make_handle(H5Aget_space(s.object.get()), "H5Aget_space", s.where);
    const hid_t a = s.object.get();
    s.read = [a](hid_t mem, void* buf) { return H5Aread(a, mem, buf); };
    return s;
}

std::size_t point_count(const Source& s) {
    const hssize_t n = H5Sget_simple_extent_npoints(s.space.get());
    if (n < 0) detail::throw_hdf5_error("H5Sget_simple_extent_npoints", s.where);
    return static_cast<std::size_t>(n);
}

H5T_class_t type_class(const Source& s) {
    const H5T_class_t c = H5Tget_class(s.type.get());
    if (c == H5T_NO_CLASS) detail::throw_hdf5_error("H5Tget_class", s.where);
    return c;
}

std::vector<std::string> read_string_values(const Source& s) {
    if (type_class(s) != H5T_STRING) throw IoError(s.where + ": not a string");
    const std::size_t n = point_count(s);
    std::vector<std::string> out;
    if (n == 0) return out;
    out.reserve(n);
    const htri_t is_vlen = H5Tis_variable_str(s.type.get());
    check(is_vlen, "H5Tis_variable_str", s.where);
    const H5T_cset_t cset = H5Tget_cset(s.type.get());
    check(cset, "H5Tget_cset", s.where);
    Handle mem = make_handle(H5Tcopy(H5T_C_S1), "H5Tcopy", s.where);
    check(H5Tset_cset(mem.get(), cset), "H5Tset_cset", s.where);
    if (is_vlen > 0) {
        check(H5Tset_size(mem.get(), H5T_VARIABLE), "H5Tset_size", s.where);
        std::vector<char*> buf(n, nullptr);
        check(s.read(mem.get(), buf.data()), "H5Dread/H5Aread", s.where);
        for (const char* p : buf) out.emplace_back(p != nullptr ? p : "");
        // Frees the strings HDF5 allocated; works for attribute buffers too.
        H5Dvlen_reclaim(mem.get(), s.space.get(), H5P_DEFAULT, buf.data());
        return out;
    }
    const std::size_t size = H5Tget_size(s.type.get());
    if (size == 0) detail::throw_hdf5_error("H5Tget_size", s.where);
    const H5T_str_t pad = H5Tget_strpad(s.type.get());
    check(pad, "H5Tget_strpad", s.where);
    check(H5Tset_size(mem.get(), size), "H5Tset_size", s.where);
    check(H5Tset_strpad(mem.get(), pad), "H5Tset_strpad", s.where);
    std::vector<char> buf(n * size);
    check(s.read(mem.get(), buf.data()), "H5Dread/H5Aread", s.where);
    for (std::size_t i = 0; i < n; ++i) {
        const char* p = buf.data() + i * size;
        std::string v(p, strnlen(p, size));
        if (pad == H5T_STR_SPACEPAD) v.erase(v.find_last_not_of(' ') + 1);
        out.push_back(std::move(v));
    }
    return out;
}

std::vector<double> read_numeric_values(const Source& s) {
    const H5T_class_t c = type_class(s);
    if (c != H5T_INTEGER && c != H5T_FLOAT) throw IoError(s.where + ": not numeric");
    std::vector<double> values(point_count(s));
    if (!values.empty()) {
        check(s.read(H5T_NATIVE_DOUBLE, values.data()), "H5Dread/H5Aread", s.where);
    }
    return values;
}

herr_t collect_dataset(hid_t /*obj*/, const char* name, const H5O_info_t* info, void* data) {
    if (info->type != H5O_TYPE_DATASET) return 0;
    try {
        static_cast<std::vector<std::string>*>(data)->push_back(std::string("/") + name);
    } catch (...) {
        return -1;  // never let an exception cross the C library
    }
    return 0;
}

}  // namespace

DatasetF64 read_dataset(const fs::path& file, const std::string& name) {
    Handle f = open_read_only(file);
    const Source s = open_dataset(f.get(), file, name);
    DatasetF64 out;
    const int rank = H5Sget_simple_extent_ndims(s.space.get());
    if (rank < 0) detail::throw_hdf5_error("H5Sget_simple_extent_ndims", s.where);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) {
        check(H5Sget_simple_extent_dims(s.space.get(), dims.data(), nullptr),
              "H5Sget_simple_extent_dims", s.where);
    }
    out.shape.assign(dims.begin(), dims.end());
    out.values = read_numeric_values(s);
    return out;
}

std::vector<std::string> read_strings(const fs::path& file, const std::string& name) {
    Handle f = open_read_only(file);
    return read_string_values(open_dataset(f.get(), file, name));
}

std::string read_string_attribute(const fs::path& file, const std::string& object_name,
                                  const std::string& attr_name) {
    Handle f = open_read_only(file);
    const Source s = open_attribute(f.get(), file, object_name, attr_name);
    auto values = read_string_values(s);
    if (values.size() != 1) throw IoError(s.where + ": not a single string");
    return std::move(values.front());
}

double read_numeric_attribute(const fs::path& file, const std::string& object_name,
                              const std::string& attr_name) {
    Handle f = open_read_only(file);
    const Source s = open_attribute(f.get(), file, object_name, attr_name);
    const auto values = read_numeric_values(s);
    if (values.size() != 1) throw IoError(s.where + ": not a single number");
    return values.front();
}

std::uint64_t read_uint64_attribute(const fs::path& file, const std::string& object_name,
                                    const std::string& attr_name) {
    Handle f = open_read_only(file);
    const Source s = open_attribute(f.get(), file, object_name, attr_name);
    if (type_class(s) != H5T_INTEGER) throw IoError(s.where + ": not an integer");
    if (point_count(s) != 1) throw IoError(s.where + ": not a single number");
    const H5T_sign_t sign = H5Tget_sign(s.type.get());
    check(sign, "H5Tget_sign", s.where);
    if (sign == H5T_SGN_NONE) {
        std::uint64_t v = 0;
        check(s.read(H5T_NATIVE_UINT64, &v), "H5Aread", s.where);
        return v;
    }
    std::int64_t v = 0;
    check(s.read(H5T_NATIVE_INT64, &v), "H5Aread", s.where);
    if (v < 0) throw IoError(s.where + ": negative value " + std::to_string(v));
    return static_cast<std::uint64_t>(v);
}

std::vector<std::string> list_datasets(const fs::path& file) {
    Handle f = open_read_only(file);
    std::vector<std::string> names;
    check(H5Ovisit2(f.get(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &names,
                    H5O_INFO_BASIC),
          "H5Ovisit2", file.string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace polarity::io

# The Debian package (scripts/package runs cpack -G DEB on a build configured with
# -DSHIM_PACKAGE=ON -DCMAKE_INSTALL_PREFIX=/usr -DSHIM_INSTALL_SETCAP=OFF). What it holds is what
# `cmake --install` installs, plus the files Debian wants of a binary package: the copyright file,
# changelog.Debian.gz and the lintian overrides (each one explained in it). The postinst gives
# shim-netraw cap_net_raw+ep, as `cmake --install` does when run as root.
option(SHIM_PACKAGE "Install the Debian package's own files (copyright, changelog, overrides)" OFF)
include(GNUInstallDirs)

if(SHIM_PACKAGE)
  set(deb_dir ${PROJECT_SOURCE_DIR}/packaging/deb)
  set(deb_out ${PROJECT_BINARY_DIR}/packaging)
  set(SHIM_HELPER_PATH ${CMAKE_INSTALL_FULL_LIBEXECDIR}/libshim/shim-netraw)
  configure_file(${deb_dir}/postinst.in ${deb_out}/postinst @ONLY)
  file(MAKE_DIRECTORY ${deb_out})
  add_custom_command(OUTPUT ${deb_out}/changelog.Debian.gz
                     COMMAND gzip -9nc ${deb_dir}/changelog > ${deb_out}/changelog.Debian.gz
                     DEPENDS ${deb_dir}/changelog VERBATIM)
  add_custom_target(deb_changelog ALL DEPENDS ${deb_out}/changelog.Debian.gz)
  install(FILES ${deb_dir}/copyright ${deb_out}/changelog.Debian.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/libshim)
  install(FILES ${deb_dir}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides
          RENAME libshim)

  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_NAME libshim)
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
  set(CPACK_PACKAGE_CONTACT "libshim developers <libshim@lists.invalid>")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
  set(CPACK_DEBIAN_PACKAGE_SECTION net)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # python3 runs `shim-run --selfcheck` (its driver and compare.py); iproute2 and ethtool make its
  # namespaces (netns-pair)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcap2-bin, python3")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "iproute2, ethtool")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${deb_out}/postinst)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Linux UDP/IPv4 send path in user space (LD_PRELOAD)")
  # the extended description (CPack puts the summary above it and indents each line)
  set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
      "libshim reimplements the Linux UDP/IPv4 send path in user space and
delivers it as an LD_PRELOAD library that runs under unmodified programs:
the send calls of their UDP sockets are answered by the shim, which builds
the frames itself and transmits them over an AF_PACKET socket.

This package holds the library, shim-run (runs a program under it, with
strace-like tracing, pcapng capture and counters), shim-stat (the live
counters of running programs), the shim-netraw helper (cap_net_raw, for
running without privileges), the manual pages and the documentation.")
  set(CPACK_STRIP_FILES ON) # no -dbgsym package: the build tree keeps the symbols
  include(CPack)
endif()

"""Reports and exports: the BCĐ 389 periodic report, case lists as CSV/XLSX, and the labels they print."""

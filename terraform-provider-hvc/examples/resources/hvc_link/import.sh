# The import id is the link's id, as `hvcctl link ls` or the data source
# hvc_links shows it.
terraform import hvc_link.onprem link-1

// placeholder: replaced by the real code

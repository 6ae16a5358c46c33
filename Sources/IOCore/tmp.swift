public enum IOCorePlaceholder {}
